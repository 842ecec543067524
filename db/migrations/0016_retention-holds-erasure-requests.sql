CREATE TABLE "case_holds" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"case_id" text NOT NULL,
	"kind" text NOT NULL,
	"reason" text NOT NULL,
	"placed_by" text NOT NULL,
	"placed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"released_by" text,
	"released_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "erasure_requests" (
	"request_id" text PRIMARY KEY NOT NULL,
	"subject_sha256" text NOT NULL,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"cases" jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "erasures" ADD COLUMN "runs_from" text;--> statement-breakpoint
ALTER TABLE "erasures" ADD COLUMN "retained_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "erasures" ADD COLUMN "disposal" text;--> statement-breakpoint
ALTER TABLE "erasures" ADD COLUMN "trigger" text;--> statement-breakpoint
CREATE INDEX "case_holds_case_idx" ON "case_holds" USING btree ("case_id");--> statement-breakpoint
CREATE INDEX "erasure_requests_subject_idx" ON "erasure_requests" USING btree ("subject_sha256");