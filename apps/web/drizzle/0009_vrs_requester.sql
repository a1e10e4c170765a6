CREATE TABLE "return_verifications" (
	"id" serial PRIMARY KEY NOT NULL,
	"shipment_id" text NOT NULL,
	"requester" text NOT NULL,
	"gtin" text NOT NULL,
	"lot" text NOT NULL,
	"serial" text NOT NULL,
	"expiry" text NOT NULL,
	"responder_url" text NOT NULL,
	"corr_uuid" text NOT NULL,
	"outcome" text NOT NULL,
	"http_status" integer,
	"verified" boolean,
	"failure_reason" text,
	"additional_info" text,
	"responder_gln" text,
	"verification_timestamp" text,
	"error_code" text,
	"error_message" text,
	"checked_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "return_verifications_outcome_check" CHECK ("return_verifications"."outcome" in ('PASSED', 'FAILED', 'ERROR'))
);
--> statement-breakpoint
CREATE TABLE "vrs_directory" (
	"prefix" text PRIMARY KEY NOT NULL,
	"manufacturer" text NOT NULL,
	"responder_url" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "vrs_requester_credentials" (
	"id" serial PRIMARY KEY NOT NULL,
	"holder" text NOT NULL,
	"responder_url" text NOT NULL,
	"label" text NOT NULL,
	"sealed_token" text NOT NULL,
	"token_hint" text NOT NULL,
	"stored_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "return_verifications_pack_idx" ON "return_verifications" USING btree ("shipment_id","gtin","serial");--> statement-breakpoint
CREATE UNIQUE INDEX "vrs_requester_credentials_holder_url_idx" ON "vrs_requester_credentials" USING btree ("holder","responder_url");