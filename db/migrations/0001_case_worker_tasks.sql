ALTER TABLE "cases" ADD COLUMN "applicant_subject" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "service_key" text NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "assignee" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "priority" text NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "stage" text NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "four_eyes" boolean NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "proposed_by" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "proposed_outcome" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "open_question_id" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "follow_up_at" timestamp with time zone NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "reminded_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "escalated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "version" integer NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "confirmed_by" text;--> statement-breakpoint
CREATE INDEX "tasks_authority_due_idx" ON "tasks" USING btree ("authority_id","due_at");