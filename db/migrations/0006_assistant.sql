CREATE TABLE "applicant_answers" (
	"question_id" text PRIMARY KEY NOT NULL,
	"case_id" text NOT NULL,
	"confirmed_by" text NOT NULL,
	"confirmed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"draft_sha256" text,
	"edited" boolean NOT NULL,
	"answer_sha256" text NOT NULL,
	"delivery_id" text
);
--> statement-breakpoint
CREATE TABLE "assistant_calls" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"case_id" text,
	"purpose" text NOT NULL,
	"model" text,
	"prompt_sha256" text NOT NULL,
	"outcome" text NOT NULL,
	"response_sha256" text,
	"latency_ms" integer,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "task_summaries" (
	"task_id" text PRIMARY KEY NOT NULL,
	"case_id" text NOT NULL,
	"label" text NOT NULL,
	"source" text NOT NULL,
	"text" text NOT NULL,
	"sha256" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "assistant_calls_case_idx" ON "assistant_calls" USING btree ("case_id");