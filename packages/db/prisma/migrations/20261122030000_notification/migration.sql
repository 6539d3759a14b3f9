-- Notification service (issue 5): one message per dedupe key, reminders, in-doubt sends,
-- booking-to-SMS latency, and an outbox for notification.events.

-- AlterTable
ALTER TABLE "notification"."sms_messages" ADD COLUMN "dedupe_key" TEXT;
ALTER TABLE "notification"."sms_messages" ADD COLUMN "language" TEXT NOT NULL DEFAULT 'th';
ALTER TABLE "notification"."sms_messages" ADD COLUMN "caused_at" TIMESTAMPTZ(3);
ALTER TABLE "notification"."sms_messages" ADD COLUMN "due_at" TIMESTAMPTZ(3);
ALTER TABLE "notification"."sms_messages" ADD COLUMN "sending_at" TIMESTAMPTZ(3);
-- Messages written before this migration were keyed by their event id alone.
UPDATE "notification"."sms_messages" SET "dedupe_key" = "kind" || ':' || "id"::text WHERE "dedupe_key" IS NULL;
ALTER TABLE "notification"."sms_messages" ALTER COLUMN "dedupe_key" SET NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "sms_messages_dedupe_key_key" ON "notification"."sms_messages"("dedupe_key");

-- CreateTable
CREATE TABLE "notification"."outbox_events" (
    "seq" BIGSERIAL NOT NULL,
    "id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "outbox_events_pkey" PRIMARY KEY ("seq")
);

-- CreateIndex
CREATE UNIQUE INDEX "outbox_events_id_key" ON "notification"."outbox_events"("id");
