CREATE TABLE "akte_search_terms" (
	"authority_id" text NOT NULL,
	"term" text NOT NULL,
	"case_id" text NOT NULL,
	"kind" text NOT NULL,
	CONSTRAINT "akte_search_terms_authority_id_term_case_id_pk" PRIMARY KEY("authority_id","term","case_id")
);
--> statement-breakpoint
CREATE TABLE "staff_directory" (
	"authority_id" text NOT NULL,
	"staff_id" text NOT NULL,
	"display_name" text NOT NULL,
	"role" text NOT NULL,
	"last_login_at" timestamp with time zone DEFAULT now() NOT NULL,
	"substitute" text,
	"absent_since" timestamp with time zone,
	CONSTRAINT "staff_directory_authority_id_staff_id_pk" PRIMARY KEY("authority_id","staff_id")
);
--> statement-breakpoint
CREATE INDEX "akte_search_terms_case_idx" ON "akte_search_terms" USING btree ("case_id");--> statement-breakpoint
CREATE INDEX "staff_directory_substitute_idx" ON "staff_directory" USING btree ("authority_id","substitute");