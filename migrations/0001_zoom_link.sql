CREATE TABLE `oauth_states` (
	`state_hash` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`created_by` text NOT NULL,
	`code_verifier_enc` text NOT NULL,
	`return_to` text,
	`expires_at` integer NOT NULL,
	`used_at` integer
);
--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`event` text NOT NULL,
	`received_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `zoom_credentials` (
	`tenant_id` text PRIMARY KEY NOT NULL,
	`zoom_account_id` text NOT NULL,
	`zoom_user_id` text NOT NULL,
	`zoom_user_email` text,
	`linked_by` text NOT NULL,
	`status` text NOT NULL,
	`reason` text,
	`scopes` text NOT NULL,
	`api_url` text,
	`access_token_enc` text NOT NULL,
	`refresh_token_enc` text NOT NULL,
	`refresh_token_hash` text NOT NULL,
	`access_token_expires_at` integer NOT NULL,
	`linked_at` integer NOT NULL,
	`last_refresh_at` integer,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `zoom_credentials_zoom_account_id_unique` ON `zoom_credentials` (`zoom_account_id`);