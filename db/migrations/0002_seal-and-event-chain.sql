CREATE TABLE "seals" (
	"seal_id" text PRIMARY KEY NOT NULL,
	"case_id" text NOT NULL,
	"authority_id" text NOT NULL,
	"source_sha256" text NOT NULL,
	"sealed_sha256" text NOT NULL,
	"key_id" text NOT NULL,
	"sealed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "case_events" ADD COLUMN "prev_hash" text;--> statement-breakpoint
ALTER TABLE "case_events" ADD COLUMN "hash" text;--> statement-breakpoint
CREATE INDEX "seals_sealed_sha256_idx" ON "seals" USING btree ("sealed_sha256");