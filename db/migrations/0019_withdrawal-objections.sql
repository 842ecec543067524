ALTER TYPE "public"."case_outcome" ADD VALUE 'withdrawn';--> statement-breakpoint
CREATE TABLE "objections" (
	"case_id" text PRIMARY KEY NOT NULL,
	"authority_id" text NOT NULL,
	"service_key" text NOT NULL,
	"objector" text NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"period_ends_on" text,
	"late" boolean NOT NULL,
	"reinstated" boolean,
	"stage" text NOT NULL,
	"abhilfe" text,
	"widerspruch" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "objections_authority_stage_idx" ON "objections" USING btree ("authority_id","stage");