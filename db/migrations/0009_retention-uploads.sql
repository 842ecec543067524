CREATE TABLE "erasures" (
	"case_id" text PRIMARY KEY NOT NULL,
	"service_key" text NOT NULL,
	"as_of" timestamp with time zone NOT NULL,
	"retention_years" integer NOT NULL,
	"documents" jsonb NOT NULL,
	"kept" jsonb NOT NULL,
	"erased_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "evidence_uploads" (
	"case_id" text NOT NULL,
	"evidence_type" text NOT NULL,
	"document_sha256" text NOT NULL,
	"media_type" text NOT NULL,
	"size" integer NOT NULL,
	"uploaded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "evidence_uploads_case_type_uq" ON "evidence_uploads" USING btree ("case_id","evidence_type");--> statement-breakpoint
CREATE INDEX "evidence_uploads_sha256_idx" ON "evidence_uploads" USING btree ("document_sha256");