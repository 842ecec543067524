ALTER TYPE "public"."case_outcome" ADD VALUE 'incomplete';--> statement-breakpoint
ALTER TYPE "public"."case_status" ADD VALUE 'awaiting_applicant' BEFORE 'collecting_fee';--> statement-breakpoint
CREATE TABLE "evidence_retrievals" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"case_id" text NOT NULL,
	"subject" text NOT NULL,
	"authority_id" text NOT NULL,
	"register" text NOT NULL,
	"evidence_type" text NOT NULL,
	"purpose" text NOT NULL,
	"attempt" integer NOT NULL,
	"result" text NOT NULL,
	"detail" text,
	"document_sha256" text,
	"requested_at" timestamp with time zone NOT NULL,
	"answered_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "evidence_retrievals_attempt_uq" ON "evidence_retrievals" USING btree ("case_id","evidence_type","attempt");--> statement-breakpoint
CREATE INDEX "evidence_retrievals_subject_idx" ON "evidence_retrievals" USING btree ("subject");