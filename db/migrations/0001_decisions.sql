CREATE TABLE "decisions" (
	"idempotency_key" text PRIMARY KEY NOT NULL,
	"case_id" text NOT NULL,
	"service_key" text NOT NULL,
	"rule_set_id" text NOT NULL,
	"rule_set_version" text NOT NULL,
	"rule_set_hash" text NOT NULL,
	"outcome" text NOT NULL,
	"fired_rules" jsonb NOT NULL,
	"facts" jsonb NOT NULL,
	"payout_cents" bigint,
	"forward_to" jsonb,
	"decided_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "decisions_case_idx" ON "decisions" USING btree ("case_id");