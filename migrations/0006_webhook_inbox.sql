ALTER TABLE `classes` ADD `host_issue` text;--> statement-breakpoint
ALTER TABLE `classes` ADD `zoom_updated_at` integer;--> statement-breakpoint
ALTER TABLE `webhook_deliveries` ADD `payload` text;--> statement-breakpoint
ALTER TABLE `webhook_deliveries` ADD `download_token_enc` text;--> statement-breakpoint
ALTER TABLE `webhook_deliveries` ADD `processed_at` integer;--> statement-breakpoint
ALTER TABLE `webhook_deliveries` ADD `attempts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `webhook_deliveries` ADD `last_error` text;--> statement-breakpoint
CREATE INDEX `webhook_deliveries_pending` ON `webhook_deliveries` (`processed_at`,`received_at`);