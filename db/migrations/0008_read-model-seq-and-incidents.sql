CREATE TABLE "incidents" (
	"incident_id" text PRIMARY KEY NOT NULL,
	"case_id" text NOT NULL,
	"activity" text NOT NULL,
	"type" text NOT NULL,
	"message" text NOT NULL,
	"hint" text NOT NULL,
	"actions" jsonb NOT NULL,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolution" text,
	"resolved_by" text,
	"resolved_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "seq" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "incidents_case_idx" ON "incidents" USING btree ("case_id");--> statement-breakpoint
CREATE INDEX "incidents_open_idx" ON "incidents" USING btree ("resolved_at");