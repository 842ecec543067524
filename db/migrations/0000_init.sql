CREATE TYPE "public"."case_outcome" AS ENUM('approved', 'rejected', 'refused');--> statement-breakpoint
CREATE TYPE "public"."case_status" AS ENUM('received', 'validating', 'checking_identity', 'fetching_evidence', 'collecting_fee', 'deciding', 'awaiting_case_worker', 'issuing_bescheid', 'sealing', 'delivering', 'archiving', 'closed');--> statement-breakpoint
CREATE TABLE "case_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"case_id" text NOT NULL,
	"seq" integer NOT NULL,
	"type" text NOT NULL,
	"status" "case_status" NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cases" (
	"case_id" text PRIMARY KEY NOT NULL,
	"workflow_id" text NOT NULL,
	"service_key" text NOT NULL,
	"authority_id" text NOT NULL,
	"rule_set_version" text NOT NULL,
	"status" "case_status" NOT NULL,
	"outcome" "case_outcome",
	"decision" jsonb,
	"bescheid_sha256" text,
	"submitted_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "deliveries" (
	"idempotency_key" text PRIMARY KEY NOT NULL,
	"delivery_id" text NOT NULL,
	"case_id" text NOT NULL,
	"recipient" text NOT NULL,
	"channel" text NOT NULL,
	"subject" text NOT NULL,
	"document_sha256" text NOT NULL,
	"delivered_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "payments" (
	"idempotency_key" text PRIMARY KEY NOT NULL,
	"case_id" text NOT NULL,
	"amount_cents" bigint NOT NULL,
	"currency" text NOT NULL,
	"account" text NOT NULL,
	"reference" text NOT NULL,
	"status" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tasks" (
	"task_id" text PRIMARY KEY NOT NULL,
	"case_id" text NOT NULL,
	"kind" text NOT NULL,
	"authority_id" text NOT NULL,
	"candidate_group" text NOT NULL,
	"state" text NOT NULL,
	"reason" text NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	"completed_by" text,
	"outcome" text,
	"justification" text
);
--> statement-breakpoint
CREATE UNIQUE INDEX "case_events_case_seq_uq" ON "case_events" USING btree ("case_id","seq");--> statement-breakpoint
CREATE INDEX "cases_service_status_idx" ON "cases" USING btree ("service_key","status");--> statement-breakpoint
CREATE INDEX "cases_authority_idx" ON "cases" USING btree ("authority_id");--> statement-breakpoint
CREATE INDEX "tasks_authority_state_idx" ON "tasks" USING btree ("authority_id","state");