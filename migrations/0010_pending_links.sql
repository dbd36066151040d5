CREATE TABLE `zoom_pending_links` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text,
	`created_by` text,
	`secret_hash` text NOT NULL,
	`zoom_account_id` text NOT NULL,
	`zoom_user_id` text NOT NULL,
	`zoom_user_email` text,
	`scopes` text NOT NULL,
	`api_url` text,
	`access_token_enc` text NOT NULL,
	`refresh_token_enc` text NOT NULL,
	`access_token_expires_at` integer NOT NULL,
	`return_to` text,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `zoom_pending_links_secret_hash_unique` ON `zoom_pending_links` (`secret_hash`);--> statement-breakpoint
CREATE INDEX `zoom_pending_links_tenant` ON `zoom_pending_links` (`tenant_id`,`created_by`);--> statement-breakpoint
CREATE INDEX `zoom_pending_links_expiry` ON `zoom_pending_links` (`expires_at`);--> statement-breakpoint
ALTER TABLE `oauth_states` ADD `handle_hash` text;--> statement-breakpoint
ALTER TABLE `oauth_states` ADD `state_enc` text;--> statement-breakpoint
ALTER TABLE `oauth_states` ADD `browser_hash` text;--> statement-breakpoint
ALTER TABLE `oauth_states` ADD `started_at` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `oauth_states_handle_hash_unique` ON `oauth_states` (`handle_hash`);