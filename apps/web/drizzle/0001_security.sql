ALTER TABLE "alerts" ADD COLUMN "occurrences" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "last_seen_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
-- Nonces issued before this migration are bound to no client: they cannot be used any more.
DELETE FROM "siwe_nonces";--> statement-breakpoint
ALTER TABLE "siwe_nonces" ADD COLUMN "client_binding" text NOT NULL;--> statement-breakpoint
-- Open alerts of one pack by one reporter merge into the oldest, with their count.
UPDATE "alerts" SET "occurrences" = d.n, "last_seen_at" = d.last FROM (
  SELECT min("id") AS id, count(*) AS n, max("raised_at") AS last FROM "alerts"
  WHERE "status" = 'OPEN' AND "reported_by" IS NOT NULL
  GROUP BY coalesce("gtin", ''), coalesce("lot", ''), coalesce("serial", ''), "reported_by" HAVING count(*) > 1
) d WHERE "alerts"."id" = d.id;--> statement-breakpoint
DELETE FROM "alerts" a USING "alerts" b
  WHERE a."status" = 'OPEN' AND b."status" = 'OPEN' AND a."reported_by" IS NOT NULL AND a."reported_by" = b."reported_by"
  AND coalesce(a."gtin", '') = coalesce(b."gtin", '') AND coalesce(a."lot", '') = coalesce(b."lot", '')
  AND coalesce(a."serial", '') = coalesce(b."serial", '') AND a."id" > b."id";--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_open_pack_reporter_idx" ON "alerts" USING btree (coalesce("gtin", ''),coalesce("lot", ''),coalesce("serial", ''),"reported_by") WHERE "alerts"."status" = 'OPEN' and "alerts"."reported_by" is not null;