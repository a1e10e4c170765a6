-- Search (issue 17): lots in any letter case, shipments by their reference; and a batch's serials in
-- pack order, 64 to a row, so that timelines name packs by their serial (../src/server/manifests/store.ts).
CREATE INDEX "batches_lot_lower_idx" ON "batches" USING btree (lower("lot"));--> statement-breakpoint
CREATE INDEX "shipment_lines_ref_idx" ON "shipment_lines" USING btree ("shipment_ref");--> statement-breakpoint
CREATE TABLE "manifest_serial_chunks" (
	"batch_id" text NOT NULL,
	"chunk" integer NOT NULL,
	"serials" text NOT NULL,
	CONSTRAINT "manifest_serial_chunks_batch_id_chunk_pk" PRIMARY KEY("batch_id","chunk")
);--> statement-breakpoint
-- The lists stored before.
INSERT INTO "manifest_serial_chunks" ("batch_id", "chunk", "serials")
  SELECT "batch_id", "pack_index" / 64, string_agg("serial", ' ' ORDER BY "pack_index")
  FROM "manifest_serials" GROUP BY "batch_id", "pack_index" / 64;
