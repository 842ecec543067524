CREATE TABLE "authority_data_keys" (
	"key_id" text PRIMARY KEY NOT NULL,
	"authority_id" text NOT NULL,
	"version" integer NOT NULL,
	"wrapped_key" text NOT NULL,
	"wrapping_key_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "authority_data_keys_version_uq" ON "authority_data_keys" USING btree ("authority_id","version");