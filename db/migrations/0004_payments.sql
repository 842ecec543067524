ALTER TYPE "public"."case_status" ADD VALUE 'paying_out' BEFORE 'issuing_bescheid';--> statement-breakpoint
CREATE TABLE "hkr_bookings" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"booking_key" text NOT NULL,
	"case_id" text NOT NULL,
	"service_key" text NOT NULL,
	"authority_id" text NOT NULL,
	"kind" text NOT NULL,
	"direction" text NOT NULL,
	"amount_cents" bigint NOT NULL,
	"currency" text NOT NULL,
	"account" text NOT NULL,
	"transaction_reference" text NOT NULL,
	"provider_transaction_id" text NOT NULL,
	"booked_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "payment_webhook_events" (
	"webhook_id" text PRIMARY KEY NOT NULL,
	"transaction_id" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "payments" ALTER COLUMN "reference" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "kind" text DEFAULT 'fee' NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ALTER COLUMN "kind" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "provider_transaction_id" text;--> statement-breakpoint
UPDATE "payments" SET "provider_transaction_id" = 'legacy:' || "idempotency_key";--> statement-breakpoint
ALTER TABLE "payments" ALTER COLUMN "provider_transaction_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "payment_page_url" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "settled_at" timestamp with time zone;--> statement-breakpoint
CREATE UNIQUE INDEX "hkr_bookings_key_uq" ON "hkr_bookings" USING btree ("booking_key");--> statement-breakpoint
CREATE INDEX "hkr_bookings_booked_at_idx" ON "hkr_bookings" USING btree ("booked_at");--> statement-breakpoint
CREATE INDEX "payments_case_idx" ON "payments" USING btree ("case_id");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_provider_tx_uq" ON "payments" USING btree ("kind","provider_transaction_id");