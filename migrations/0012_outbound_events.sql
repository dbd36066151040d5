CREATE TABLE `event_deliveries` (
	`event_id` text NOT NULL,
	`subscription_id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`first_attempt_at` integer,
	`last_attempt_at` integer,
	`next_attempt_at` integer NOT NULL,
	`last_status` integer,
	`last_error` text,
	`delivered_at` integer,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`event_id`, `subscription_id`)
);
--> statement-breakpoint
CREATE INDEX `event_deliveries_subscription` ON `event_deliveries` (`tenant_id`,`subscription_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `event_deliveries_due` ON `event_deliveries` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE TABLE `event_subscriptions` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`url` text NOT NULL,
	`event_types` text NOT NULL,
	`description` text,
	`secret_enc` text NOT NULL,
	`previous_secret_enc` text,
	`previous_secret_until` integer,
	`enabled` integer NOT NULL,
	`disabled_reason` text,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `event_subscriptions_tenant` ON `event_subscriptions` (`tenant_id`);--> statement-breakpoint
CREATE TABLE `outbound_events` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`type` text NOT NULL,
	`data` text NOT NULL,
	`created_at` integer NOT NULL,
	`dispatched_at` integer
);
--> statement-breakpoint
CREATE INDEX `outbound_events_undispatched` ON `outbound_events` (`dispatched_at`,`created_at`);--> statement-breakpoint
CREATE INDEX `outbound_events_tenant_at` ON `outbound_events` (`tenant_id`,`created_at`);