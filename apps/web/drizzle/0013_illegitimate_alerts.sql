CREATE TABLE "alert_packs" (
	"alert_id" integer NOT NULL,
	"index" integer NOT NULL,
	"serial" text,
	"unit" text,
	CONSTRAINT "alert_packs_alert_id_index_pk" PRIMARY KEY("alert_id","index")
);
--> statement-breakpoint
DROP INDEX "alerts_open_pack_reporter_idx";--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "source_tx" text;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "holder" text;--> statement-breakpoint
ALTER TABLE "alert_packs" ADD CONSTRAINT "alert_packs_alert_id_alerts_id_fk" FOREIGN KEY ("alert_id") REFERENCES "public"."alerts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "alert_packs_serial_idx" ON "alert_packs" USING btree ("serial");--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_source_idx" ON "alerts" USING btree ("source_tx","batch_id","holder") WHERE "alerts"."source_tx" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_open_pack_reporter_idx" ON "alerts" USING btree (coalesce("gtin", ''),coalesce("lot", ''),coalesce("serial", ''),"reported_by") WHERE "alerts"."status" in ('OPEN', 'INVESTIGATING') and "alerts"."reported_by" is not null and "alerts"."source_tx" is null;