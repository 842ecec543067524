CREATE TABLE "akte_documents" (
	"document_id" text PRIMARY KEY NOT NULL,
	"case_id" text NOT NULL,
	"kind" text NOT NULL,
	"title" text NOT NULL,
	"media_type" text NOT NULL,
	"sha256" text NOT NULL,
	"size" integer NOT NULL,
	"blob_key" text,
	"content" jsonb,
	"labels" jsonb,
	"author_role" text NOT NULL,
	"author_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"replaces" text
);
--> statement-breakpoint
CREATE TABLE "akten" (
	"case_id" text PRIMARY KEY NOT NULL,
	"aktenzeichen" text NOT NULL,
	"authority_id" text NOT NULL,
	"service_key" text NOT NULL,
	"year" integer NOT NULL,
	"running_number" integer NOT NULL,
	"applicant_subject" text NOT NULL,
	"identity" jsonb NOT NULL,
	"consent" jsonb,
	"submission_sha256" text NOT NULL,
	"schema_id" text NOT NULL,
	"schema_version" text NOT NULL,
	"rule_set_version" text NOT NULL,
	"rule_set_sha256" text,
	"submitted_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"final_state" jsonb
);
--> statement-breakpoint
CREATE TABLE "aktenzeichen_counters" (
	"authority_id" text NOT NULL,
	"year" integer NOT NULL,
	"last" integer NOT NULL,
	CONSTRAINT "aktenzeichen_counters_authority_id_year_pk" PRIMARY KEY("authority_id","year")
);
--> statement-breakpoint
CREATE INDEX "akte_documents_case_idx" ON "akte_documents" USING btree ("case_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "akten_aktenzeichen_uq" ON "akten" USING btree ("aktenzeichen");--> statement-breakpoint
CREATE UNIQUE INDEX "akten_authority_year_number_uq" ON "akten" USING btree ("authority_id","year","running_number");--> statement-breakpoint
CREATE INDEX "akten_applicant_idx" ON "akten" USING btree ("applicant_subject");