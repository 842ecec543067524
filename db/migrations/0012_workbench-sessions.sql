CREATE TABLE "workbench_sessions" (
	"id_sha256" text PRIMARY KEY NOT NULL,
	"staff" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "workbench_sessions_expires_idx" ON "workbench_sessions" USING btree ("expires_at");