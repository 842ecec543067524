CREATE TABLE "akte_search_terms" (
	"authority_id" text NOT NULL,
	"term" text NOT NULL,
	"case_id" text NOT NULL,
	"kind" text NOT NULL,
	CONSTRAINT "akte_search_terms_authority_id_term_case_id_pk" PRIMARY KEY("authority_id","term","case_id")
);
--> statement-breakpoint
CREATE INDEX "akte_search_terms_case_idx" ON "akte_search_terms" USING btree ("case_id");