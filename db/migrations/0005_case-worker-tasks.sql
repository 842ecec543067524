-- Edited by hand: columns added with a default, then the default dropped, so tasks rows of earlier runs migrate.
ALTER TABLE "cases" ADD COLUMN "applicant_subject" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "service_key" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ALTER COLUMN "service_key" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "assignee" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "priority" text DEFAULT 'normal' NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ALTER COLUMN "priority" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "stage" text DEFAULT 'decision' NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ALTER COLUMN "stage" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "four_eyes" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ALTER COLUMN "four_eyes" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "proposed_by" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "proposed_outcome" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "open_question_id" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "follow_up_at" timestamp with time zone;--> statement-breakpoint
UPDATE "tasks" SET "follow_up_at" = "due_at";--> statement-breakpoint
ALTER TABLE "tasks" ALTER COLUMN "follow_up_at" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "reminded_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "escalated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "version" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ALTER COLUMN "version" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "confirmed_by" text;--> statement-breakpoint
CREATE INDEX "tasks_authority_due_idx" ON "tasks" USING btree ("authority_id","due_at");