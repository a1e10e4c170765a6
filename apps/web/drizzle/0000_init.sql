CREATE TABLE "alerts" (
	"id" serial PRIMARY KEY NOT NULL,
	"raised_at" timestamp with time zone DEFAULT now() NOT NULL,
	"verdict" text NOT NULL,
	"purpose" text NOT NULL,
	"gtin" text,
	"lot" text,
	"serial" text,
	"batch_id" text,
	"reported_by" text,
	"message" text NOT NULL,
	"status" text DEFAULT 'OPEN' NOT NULL,
	"block_number" bigint
);
--> statement-breakpoint
CREATE TABLE "batches" (
	"batch_id" text PRIMARY KEY NOT NULL,
	"gtin" text NOT NULL,
	"lot" text NOT NULL,
	"expiry" integer NOT NULL,
	"pack_count" integer NOT NULL,
	"manufacturer" text NOT NULL,
	"serials_root" text NOT NULL,
	"document_hash" text NOT NULL,
	"status" text NOT NULL,
	"status_reason" text,
	"status_by" text,
	"status_at" bigint,
	"registered_block" bigint NOT NULL,
	"registered_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "company_prefixes" (
	"prefix" text PRIMARY KEY NOT NULL,
	"manufacturer" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "events" (
	"block_number" bigint NOT NULL,
	"log_index" integer NOT NULL,
	"block_hash" text NOT NULL,
	"transaction_hash" text NOT NULL,
	"timestamp" bigint NOT NULL,
	"name" text NOT NULL,
	"batch_id" text,
	"args" jsonb NOT NULL,
	CONSTRAINT "events_block_number_log_index_pk" PRIMARY KEY("block_number","log_index")
);
--> statement-breakpoint
CREATE TABLE "holdings" (
	"batch_id" text NOT NULL,
	"holder" text NOT NULL,
	"units" integer NOT NULL,
	CONSTRAINT "holdings_batch_id_holder_pk" PRIMARY KEY("batch_id","holder")
);
--> statement-breakpoint
CREATE TABLE "indexed_blocks" (
	"number" bigint PRIMARY KEY NOT NULL,
	"hash" text NOT NULL,
	"timestamp" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "indexer_cursor" (
	"id" text PRIMARY KEY NOT NULL,
	"chain_id" integer NOT NULL,
	"contract" text NOT NULL,
	"deployment_block" bigint NOT NULL,
	"block_number" bigint NOT NULL,
	"block_hash" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "manifest_nodes" (
	"batch_id" text NOT NULL,
	"chunk" integer NOT NULL,
	"nodes" "bytea" NOT NULL,
	CONSTRAINT "manifest_nodes_batch_id_chunk_pk" PRIMARY KEY("batch_id","chunk")
);
--> statement-breakpoint
CREATE TABLE "manifest_serials" (
	"batch_id" text NOT NULL,
	"gtin" text NOT NULL,
	"serial" text NOT NULL,
	"pack_index" integer NOT NULL,
	"tree_index" integer NOT NULL,
	CONSTRAINT "manifest_serials_batch_id_serial_pk" PRIMARY KEY("batch_id","serial")
);
--> statement-breakpoint
CREATE TABLE "manifests" (
	"batch_id" text PRIMARY KEY NOT NULL,
	"gtin" text NOT NULL,
	"lot" text NOT NULL,
	"root" text NOT NULL,
	"serial_count" integer NOT NULL,
	"uploaded_by" text NOT NULL,
	"uploaded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pack_states" (
	"batch_id" text NOT NULL,
	"pack_index" integer NOT NULL,
	"state" text NOT NULL,
	"by" text NOT NULL,
	"at" bigint NOT NULL,
	"transaction_hash" text NOT NULL,
	CONSTRAINT "pack_states_batch_id_pack_index_pk" PRIMARY KEY("batch_id","pack_index")
);
--> statement-breakpoint
CREATE TABLE "participants" (
	"address" text PRIMARY KEY NOT NULL,
	"role" text NOT NULL,
	"number" integer NOT NULL,
	"gln" text NOT NULL,
	"legal_name" text NOT NULL,
	"suspended" boolean DEFAULT false NOT NULL,
	"onboarded_block" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "products" (
	"gtin" text PRIMARY KEY NOT NULL,
	"manufacturer" text NOT NULL,
	"name" text NOT NULL,
	"strength" text NOT NULL,
	"dosage_form" text NOT NULL,
	"registered_block" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"address" text NOT NULL,
	"chain_id" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "shipment_lines" (
	"shipment_id" text NOT NULL,
	"batch_id" text NOT NULL,
	"sender" text NOT NULL,
	"recipient" text NOT NULL,
	"quantity" integer NOT NULL,
	"shipment_ref" text NOT NULL,
	"status" text NOT NULL,
	"reason" text,
	"shipped_block" bigint NOT NULL,
	"shipped_at" bigint NOT NULL,
	"shipped_tx" text NOT NULL,
	"settled_block" bigint,
	"settled_at" bigint,
	CONSTRAINT "shipment_lines_shipment_id_batch_id_pk" PRIMARY KEY("shipment_id","batch_id")
);
--> statement-breakpoint
CREATE TABLE "siwe_nonces" (
	"nonce" text PRIMARY KEY NOT NULL,
	"issued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "alerts_raised_idx" ON "alerts" USING btree ("raised_at");--> statement-breakpoint
CREATE INDEX "alerts_batch_idx" ON "alerts" USING btree ("batch_id");--> statement-breakpoint
CREATE INDEX "batches_gtin_lot_idx" ON "batches" USING btree ("gtin","lot");--> statement-breakpoint
CREATE INDEX "batches_manufacturer_idx" ON "batches" USING btree ("manufacturer");--> statement-breakpoint
CREATE INDEX "events_batch_idx" ON "events" USING btree ("batch_id","block_number","log_index");--> statement-breakpoint
CREATE INDEX "events_time_idx" ON "events" USING btree ("timestamp");--> statement-breakpoint
CREATE INDEX "events_tx_idx" ON "events" USING btree ("transaction_hash");--> statement-breakpoint
CREATE INDEX "holdings_holder_idx" ON "holdings" USING btree ("holder");--> statement-breakpoint
CREATE INDEX "manifest_serials_gtin_serial_idx" ON "manifest_serials" USING btree ("gtin","serial");--> statement-breakpoint
CREATE INDEX "shipment_lines_recipient_idx" ON "shipment_lines" USING btree ("recipient","status");--> statement-breakpoint
CREATE INDEX "shipment_lines_sender_idx" ON "shipment_lines" USING btree ("sender","status");