ALTER TABLE `class_sessions` ADD `report_complete` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `classes` ADD `meeting_settings` text;--> statement-breakpoint
ALTER TABLE `session_attendance` ADD `matched_by` text;