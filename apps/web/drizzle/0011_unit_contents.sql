CREATE TABLE "unit_contents" (
	"sscc" text NOT NULL,
	"batch_id" text NOT NULL,
	"packs" integer NOT NULL,
	CONSTRAINT "unit_contents_sscc_batch_id_pk" PRIMARY KEY("sscc","batch_id")
);
--> statement-breakpoint
ALTER TABLE "holdings" ADD COLUMN "quarantined" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "unit_contents_batch_idx" ON "unit_contents" USING btree ("batch_id");