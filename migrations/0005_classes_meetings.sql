CREATE TABLE `class_sessions` (
	`tenant_id` text NOT NULL,
	`zoom_meeting_uuid` text NOT NULL,
	`class_id` text NOT NULL,
	`zoom_meeting_id` text NOT NULL,
	`start_time` integer NOT NULL,
	`end_time` integer,
	`duration_minutes` integer,
	`participants_count` integer DEFAULT 0 NOT NULL,
	`fetched_at` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `zoom_meeting_uuid`)
);
--> statement-breakpoint
CREATE INDEX `class_sessions_class` ON `class_sessions` (`tenant_id`,`class_id`,`start_time`);--> statement-breakpoint
CREATE TABLE `session_attendance` (
	`tenant_id` text NOT NULL,
	`zoom_meeting_uuid` text NOT NULL,
	`seq` integer NOT NULL,
	`name` text NOT NULL,
	`email` text,
	`registrant_id` text,
	`wise_user_id` text,
	`join_time` integer,
	`leave_time` integer,
	`duration_seconds` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `zoom_meeting_uuid`, `seq`)
);
--> statement-breakpoint
CREATE TABLE `usage_snapshots` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`tenant_id` text NOT NULL,
	`zoom_account_id` text NOT NULL,
	`taken_at` integer NOT NULL,
	`seats_licensed` integer NOT NULL,
	`seats_basic` integer NOT NULL,
	`seats_pending` integer NOT NULL,
	`seats_total` integer NOT NULL,
	`seats_purchased` integer,
	`storage_used_bytes` integer,
	`storage_plan_bytes` integer
);
--> statement-breakpoint
CREATE INDEX `usage_snapshots_tenant_at` ON `usage_snapshots` (`tenant_id`,`taken_at`);--> statement-breakpoint
ALTER TABLE `classes` ADD `claim_token` text;--> statement-breakpoint
ALTER TABLE `classes` ADD `claimed_at` integer;--> statement-breakpoint
ALTER TABLE `teachers` ADD `cloud_recording` integer;