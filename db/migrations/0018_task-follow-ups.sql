CREATE TABLE "task_follow_ups" (
	"task_id" text PRIMARY KEY NOT NULL,
	"case_id" text NOT NULL,
	"authority_id" text NOT NULL,
	"follow_up_on" date NOT NULL,
	"note" jsonb,
	"set_by" text NOT NULL,
	"set_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "task_follow_ups_authority_day_idx" ON "task_follow_ups" USING btree ("authority_id","follow_up_on");--> statement-breakpoint
CREATE INDEX "task_follow_ups_case_idx" ON "task_follow_ups" USING btree ("case_id");