CREATE TABLE "fit_connect_submissions" (
	"case_id" text PRIMARY KEY NOT NULL,
	"payment" jsonb,
	"reply_channel" jsonb,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
