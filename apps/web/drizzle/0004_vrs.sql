-- The VRS responder (issue 15): API credentials manufacturers issue to trading partners (only a hash of
-- each token), the log of every verification request and its answer, and an index of the packs an
-- investigation closed as FALSIFIED (answered Illegitimate).
CREATE TABLE "vrs_credentials" (
	"id" serial PRIMARY KEY NOT NULL,
	"manufacturer" text NOT NULL,
	"partner_gln" text NOT NULL,
	"label" text NOT NULL,
	"token_hash" text NOT NULL,
	"issued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "vrs_requests" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "vrs_requests_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"endpoint" text NOT NULL,
	"manufacturer" text,
	"requester_gln" text,
	"auth_method" text NOT NULL,
	"credential_id" integer,
	"holder" text,
	"gtin" text,
	"lot" text,
	"serial" text,
	"expiry" text,
	"context" text,
	"corr_uuid" text,
	"ctrl_possess_att" boolean,
	"email" text,
	"telephone" text,
	"status" integer NOT NULL,
	"verified" boolean,
	"failure_reason" text,
	"additional_info" text,
	"error_code" text,
	"verdict" text,
	"answer" jsonb NOT NULL,
	"duration_ms" integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "vrs_credentials_token_idx" ON "vrs_credentials" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "vrs_credentials_manufacturer_idx" ON "vrs_credentials" USING btree ("manufacturer","id");--> statement-breakpoint
CREATE INDEX "vrs_requests_manufacturer_idx" ON "vrs_requests" USING btree ("manufacturer","id");--> statement-breakpoint
CREATE INDEX "alerts_falsified_pack_idx" ON "alerts" USING btree ("gtin","serial") WHERE "alerts"."root_cause" = 'FALSIFIED';