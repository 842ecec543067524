CREATE TABLE "corrections" (
	"correction_id" text PRIMARY KEY NOT NULL,
	"case_id" text NOT NULL,
	"authority_id" text NOT NULL,
	"service_key" text NOT NULL,
	"kind" text NOT NULL,
	"effect" text NOT NULL,
	"stage" text NOT NULL,
	"proposed_by" text NOT NULL,
	"proposed_at" timestamp with time zone NOT NULL,
	"confirmed_by" text,
	"reclaim_cents" bigint,
	"refund_fee_cents" bigint,
	"document_id" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "corrections_one_per_case_uq" ON "corrections" USING btree ("case_id") WHERE "corrections"."stage" <> 'refused';--> statement-breakpoint
CREATE INDEX "corrections_case_idx" ON "corrections" USING btree ("case_id");