DROP INDEX "tasks_authority_state_idx";--> statement-breakpoint
CREATE INDEX "tasks_inbox_idx" ON "tasks" USING btree ("authority_id","state","due_at","task_id");--> statement-breakpoint
CREATE INDEX "tasks_inbox_active_idx" ON "tasks" USING btree ("authority_id","due_at","task_id") WHERE "tasks"."state" in ('open', 'claimed');