CREATE TABLE `class_registrants` (
	`tenant_id` text NOT NULL,
	`class_id` text NOT NULL,
	`student_id` text NOT NULL,
	`name` text NOT NULL,
	`email` text,
	`status` text NOT NULL,
	`zoom_registrant_id` text,
	`join_url` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`attempt_day` text,
	`day_attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`tenant_id`, `class_id`, `student_id`)
);
--> statement-breakpoint
CREATE INDEX `class_registrants_status` ON `class_registrants` (`tenant_id`,`class_id`,`status`);--> statement-breakpoint
CREATE TABLE `link_revocations` (
	`tenant_id` text NOT NULL,
	`class_id` text NOT NULL,
	`student_id` text NOT NULL,
	`revoked_at` integer NOT NULL,
	`revoked_by` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `class_id`, `student_id`)
);
