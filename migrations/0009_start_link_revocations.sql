CREATE TABLE `start_link_revocations` (
	`tenant_id` text NOT NULL,
	`class_id` text NOT NULL,
	`teacher_id` text NOT NULL,
	`revoked_at` integer NOT NULL,
	`revoked_by` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `class_id`, `teacher_id`)
);
