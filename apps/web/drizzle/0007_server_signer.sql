CREATE TABLE "api_tokens" (
	"id" serial PRIMARY KEY NOT NULL,
	"organisation" text NOT NULL,
	"label" text NOT NULL,
	"scopes" text[] NOT NULL,
	"token_hash" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	"revoked_by" text,
	"last_used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "signer_leases" (
	"chain_id" integer NOT NULL,
	"signer" text NOT NULL,
	"holder" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "signer_leases_chain_id_signer_pk" PRIMARY KEY("chain_id","signer")
);
--> statement-breakpoint
CREATE TABLE "write_requests" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "write_requests_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"chain_id" integer NOT NULL,
	"signer" text NOT NULL,
	"organisation" text NOT NULL,
	"requester_kind" text NOT NULL,
	"requester_id" text NOT NULL,
	"requester_label" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"request_hash" text NOT NULL,
	"operation" text NOT NULL,
	"arguments" jsonb NOT NULL,
	"abi" text NOT NULL,
	"contract" text NOT NULL,
	"function_name" text NOT NULL,
	"calldata" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"nonce" bigint,
	"transaction_hash" text,
	"block_number" bigint,
	"gas_used" bigint,
	"events" jsonb,
	"outcome_code" text,
	"outcome_message" text,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	CONSTRAINT "write_requests_status_check" CHECK ("write_requests"."status" in ('queued', 'sent', 'confirmed', 'reverted', 'refused'))
);
--> statement-breakpoint
CREATE TABLE "write_transactions" (
	"hash" text PRIMARY KEY NOT NULL,
	"request_id" bigint NOT NULL,
	"nonce" bigint NOT NULL,
	"max_fee_per_gas" text NOT NULL,
	"max_priority_fee_per_gas" text NOT NULL,
	"gas" text NOT NULL,
	"raw" text NOT NULL,
	"sent_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "write_transactions" ADD CONSTRAINT "write_transactions_request_id_write_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."write_requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_tokens_token_idx" ON "api_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "api_tokens_organisation_idx" ON "api_tokens" USING btree ("organisation","id");--> statement-breakpoint
CREATE UNIQUE INDEX "write_requests_idempotency_idx" ON "write_requests" USING btree ("organisation","requester_kind","requester_id","idempotency_key");--> statement-breakpoint
CREATE UNIQUE INDEX "write_requests_nonce_idx" ON "write_requests" USING btree ("chain_id","signer","nonce") WHERE "write_requests"."status" = 'sent';--> statement-breakpoint
CREATE INDEX "write_requests_queue_idx" ON "write_requests" USING btree ("chain_id","signer","status","id");--> statement-breakpoint
CREATE INDEX "write_requests_organisation_idx" ON "write_requests" USING btree ("organisation","id");--> statement-breakpoint
CREATE INDEX "write_transactions_request_idx" ON "write_transactions" USING btree ("request_id","sent_at");