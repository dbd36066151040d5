CREATE TABLE `archive_sweeps` (
	`tenant_id` text PRIMARY KEY NOT NULL,
	`zoom_account_id` text NOT NULL,
	`backfilled_at` integer,
	`last_sweep_at` integer,
	`last_error` text
);
--> statement-breakpoint
CREATE TABLE `recording_files` (
	`id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`recording_id` text NOT NULL,
	`file_type` text NOT NULL,
	`file_extension` text NOT NULL,
	`recording_type` text,
	`size_bytes` integer,
	`download_url` text NOT NULL,
	`recording_start` integer,
	`status` text NOT NULL,
	`bytes_archived` integer DEFAULT 0 NOT NULL,
	`sha256` text,
	`r2_key` text NOT NULL,
	`upload_id` text,
	`part_size` integer,
	`parts` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`lease_id` text,
	`lease_until` integer,
	`error` text,
	`archived_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`tenant_id`, `id`)
);
--> statement-breakpoint
CREATE INDEX `recording_files_recording` ON `recording_files` (`tenant_id`,`recording_id`);--> statement-breakpoint
CREATE INDEX `recording_files_status` ON `recording_files` (`tenant_id`,`status`);--> statement-breakpoint
CREATE TABLE `recordings` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`zoom_account_id` text NOT NULL,
	`meeting_uuid` text NOT NULL,
	`meeting_id` text NOT NULL,
	`host_id` text,
	`class_id` text,
	`topic` text,
	`start_time` integer NOT NULL,
	`duration_minutes` integer,
	`zoom_state` text NOT NULL,
	`download_token_enc` text,
	`download_token_expires_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `recordings_tenant_uuid` ON `recordings` (`tenant_id`,`meeting_uuid`);--> statement-breakpoint
CREATE INDEX `recordings_tenant_start` ON `recordings` (`tenant_id`,`start_time`);--> statement-breakpoint
CREATE INDEX `recordings_tenant_class` ON `recordings` (`tenant_id`,`class_id`);