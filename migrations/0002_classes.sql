CREATE TABLE `classes` (
	`tenant_id` text NOT NULL,
	`class_id` text NOT NULL,
	`teacher_id` text NOT NULL,
	`zoom_account_id` text NOT NULL,
	`zoom_meeting_id` text,
	`zoom_meeting_uuid` text,
	`host_zoom_user_id` text,
	`topic` text NOT NULL,
	`start_time` integer NOT NULL,
	`duration_minutes` integer NOT NULL,
	`timezone` text,
	`recurrence` text,
	`registration` integer NOT NULL,
	`auto_recording` text NOT NULL,
	`status` text NOT NULL,
	`join_url` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`tenant_id`, `class_id`)
);
--> statement-breakpoint
CREATE INDEX `classes_meeting` ON `classes` (`zoom_meeting_id`);--> statement-breakpoint
CREATE INDEX `classes_tenant_teacher` ON `classes` (`tenant_id`,`teacher_id`);--> statement-breakpoint
CREATE TABLE `teachers` (
	`tenant_id` text NOT NULL,
	`wise_user_id` text NOT NULL,
	`zoom_user_id` text,
	`email` text NOT NULL,
	`first_name` text,
	`last_name` text,
	`status` text NOT NULL,
	`licensed` integer NOT NULL,
	`last_class_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`tenant_id`, `wise_user_id`)
);
--> statement-breakpoint
CREATE INDEX `teachers_tenant_email` ON `teachers` (`tenant_id`,`email`);