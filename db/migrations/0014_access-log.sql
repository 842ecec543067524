CREATE TABLE "access_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_id" text NOT NULL,
	"actor_role" text NOT NULL,
	"actor_authority_id" text,
	"kind" text NOT NULL,
	"what" text NOT NULL,
	"route" text NOT NULL,
	"case_id" text,
	"authority_id" text,
	"applicant_subject" text,
	"outcome" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "access_log_case_idx" ON "access_log" USING btree ("case_id","at");--> statement-breakpoint
CREATE INDEX "access_log_applicant_idx" ON "access_log" USING btree ("applicant_subject","at");--> statement-breakpoint
CREATE INDEX "access_log_actor_idx" ON "access_log" USING btree ("actor_id","at");--> statement-breakpoint
CREATE FUNCTION "access_log_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'access_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;--> statement-breakpoint
CREATE TRIGGER "access_log_no_update_or_delete" BEFORE UPDATE OR DELETE ON "access_log" FOR EACH ROW EXECUTE FUNCTION "access_log_append_only"();
