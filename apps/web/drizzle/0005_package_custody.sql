-- Package-level custody (issue 13): where every logistic unit (SSCC) and every pack that moved is, the items
-- each custody event lists, and shipments with the fate of each item (../src/server/indexer/custody.ts).
CREATE TABLE "custody_items" (
	"block_number" bigint NOT NULL,
	"log_index" integer NOT NULL,
	"position" integer NOT NULL,
	"unit" text,
	"sscc" text,
	"batch_id" text,
	"pack_index" integer,
	"within" text,
	CONSTRAINT "custody_items_block_number_log_index_position_pk" PRIMARY KEY("block_number","log_index","position")
);
--> statement-breakpoint
CREATE TABLE "pack_places" (
	"batch_id" text NOT NULL,
	"pack_index" integer NOT NULL,
	"place" text NOT NULL,
	"party" text,
	"recipient" text,
	"parent" text,
	"shipment_id" text,
	"by_regulator" boolean DEFAULT false NOT NULL,
	"state" text,
	"at" bigint,
	"updated_block" bigint NOT NULL,
	"updated_tx" text NOT NULL,
	CONSTRAINT "pack_places_batch_id_pack_index_pk" PRIMARY KEY("batch_id","pack_index")
);
--> statement-breakpoint
CREATE TABLE "shipment_items" (
	"shipment_id" text NOT NULL,
	"position" integer NOT NULL,
	"sscc" text,
	"batch_id" text,
	"pack_index" integer,
	"status" text NOT NULL,
	"reason" text,
	"settled_block" bigint,
	"settled_at" bigint,
	CONSTRAINT "shipment_items_shipment_id_position_pk" PRIMARY KEY("shipment_id","position")
);
--> statement-breakpoint
CREATE TABLE "shipments" (
	"shipment_id" text PRIMARY KEY NOT NULL,
	"sender" text NOT NULL,
	"recipient" text NOT NULL,
	"shipment_ref" text NOT NULL,
	"shipped_block" bigint NOT NULL,
	"shipped_log_index" integer NOT NULL,
	"shipped_at" bigint NOT NULL,
	"shipped_tx" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "units" (
	"sscc" text PRIMARY KEY NOT NULL,
	"packer" text NOT NULL,
	"place" text NOT NULL,
	"party" text,
	"recipient" text,
	"parent" text,
	"shipment_id" text,
	"by_regulator" boolean DEFAULT false NOT NULL,
	"opened" boolean DEFAULT false NOT NULL,
	"range_batch_id" text,
	"range_start" integer,
	"range_end" integer,
	"created_block" bigint NOT NULL,
	"created_log_index" integer NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_block" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "batches" ADD COLUMN "packed_up_to" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "custody_items_unit_idx" ON "custody_items" USING btree ("unit","block_number","log_index");--> statement-breakpoint
CREATE INDEX "custody_items_sscc_idx" ON "custody_items" USING btree ("sscc","block_number","log_index");--> statement-breakpoint
CREATE INDEX "custody_items_pack_idx" ON "custody_items" USING btree ("batch_id","pack_index","block_number","log_index");--> statement-breakpoint
CREATE INDEX "pack_places_parent_idx" ON "pack_places" USING btree ("parent");--> statement-breakpoint
CREATE INDEX "pack_places_party_idx" ON "pack_places" USING btree ("party","place");--> statement-breakpoint
CREATE INDEX "shipment_items_status_idx" ON "shipment_items" USING btree ("status","shipment_id");--> statement-breakpoint
CREATE INDEX "shipments_recipient_idx" ON "shipments" USING btree ("recipient");--> statement-breakpoint
CREATE INDEX "shipments_sender_idx" ON "shipments" USING btree ("sender");--> statement-breakpoint
CREATE INDEX "shipments_ref_idx" ON "shipments" USING btree ("shipment_ref");--> statement-breakpoint
CREATE INDEX "units_parent_idx" ON "units" USING btree ("parent");--> statement-breakpoint
CREATE INDEX "units_party_idx" ON "units" USING btree ("party","place");--> statement-breakpoint
CREATE INDEX "units_range_idx" ON "units" USING btree ("range_batch_id","range_start");