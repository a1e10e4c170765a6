-- The alert workflow (issue 17): OPEN -> INVESTIGATING -> CLOSED with a root cause, every change kept
-- in alert_history. Existing alerts keep their state (OPEN stays open, CLOSED stays closed); those
-- closed before have no root cause and no history, since neither was recorded then.
ALTER TABLE "alerts" ADD COLUMN "root_cause" text;--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_status_check" CHECK ("alerts"."status" in ('OPEN', 'INVESTIGATING', 'CLOSED'));--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_root_cause_check" CHECK ("alerts"."root_cause" is null or ("alerts"."status" = 'CLOSED' and "alerts"."root_cause" in ('SCANNER_OR_DATA_ERROR', 'GENUINE', 'FALSIFIED')));--> statement-breakpoint
-- Rescans merge into the pack's alert while it is open or under investigation, not only while open.
DROP INDEX "alerts_open_pack_reporter_idx";--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_open_pack_reporter_idx" ON "alerts" USING btree (coalesce("gtin", ''),coalesce("lot", ''),coalesce("serial", ''),"reported_by") WHERE "alerts"."status" in ('OPEN', 'INVESTIGATING') and "alerts"."reported_by" is not null;--> statement-breakpoint
CREATE TABLE "alert_history" (
	"id" serial PRIMARY KEY NOT NULL,
	"alert_id" integer NOT NULL CONSTRAINT "alert_history_alert_id_alerts_id_fk" REFERENCES "public"."alerts"("id") ON DELETE cascade ON UPDATE no action,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"by_address" text NOT NULL,
	"by_name" text NOT NULL,
	"by_role" text NOT NULL,
	"from_status" text NOT NULL,
	"to_status" text NOT NULL,
	"root_cause" text,
	"note" text
);--> statement-breakpoint
CREATE INDEX "alert_history_alert_idx" ON "alert_history" USING btree ("alert_id","id");
