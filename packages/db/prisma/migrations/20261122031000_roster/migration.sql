-- Roster (issue 6): one row per booking merged from events that may arrive in any order,
-- SMS state in its own table, check-in, and roster's own outbox for CheckedIn events.

-- A reschedule or cancellation may arrive before the creation event: the person is unknown
-- until then.
ALTER TABLE "roster"."entries" ALTER COLUMN "citizen_id" DROP NOT NULL;
ALTER TABLE "roster"."entries" ALTER COLUMN "birth_date" DROP NOT NULL;
ALTER TABLE "roster"."entries" ALTER COLUMN "first_name" DROP NOT NULL;
ALTER TABLE "roster"."entries" ALTER COLUMN "last_name" DROP NOT NULL;
ALTER TABLE "roster"."entries" ALTER COLUMN "group_code" DROP NOT NULL;
ALTER TABLE "roster"."entries" DROP COLUMN "sms_status";

ALTER TABLE "roster"."entries" ADD COLUMN "phone" TEXT;
ALTER TABLE "roster"."entries" ADD COLUMN "channel" TEXT;
ALTER TABLE "roster"."entries" ADD COLUMN "site_name_th" TEXT;
ALTER TABLE "roster"."entries" ADD COLUMN "site_name_en" TEXT;
ALTER TABLE "roster"."entries" ADD COLUMN "appointment_kind" TEXT;
ALTER TABLE "roster"."entries" ADD COLUMN "appointment_at" TIMESTAMPTZ(3);
ALTER TABLE "roster"."entries" ADD COLUMN "cancelled_at" TIMESTAMPTZ(3);
ALTER TABLE "roster"."entries" ADD COLUMN "cancelled_by" TEXT;
ALTER TABLE "roster"."entries" ADD COLUMN "checked_in_at" TIMESTAMPTZ(3);
ALTER TABLE "roster"."entries" ADD COLUMN "checked_in_by" TEXT;
-- Rows written by the first consumer (BookingConfirmed only).
UPDATE "roster"."entries" SET "appointment_kind" = 'confirmed', "appointment_at" = "last_event_at";
ALTER TABLE "roster"."entries" ALTER COLUMN "appointment_kind" SET NOT NULL;
ALTER TABLE "roster"."entries" ALTER COLUMN "appointment_at" SET NOT NULL;

-- CreateIndex
CREATE INDEX "entries_reference_idx" ON "roster"."entries"("reference");

-- CreateTable
CREATE TABLE "roster"."sms_states" (
    "booking_id" UUID NOT NULL,
    "sms_id" UUID NOT NULL,
    "status" TEXT NOT NULL,
    "kind" TEXT,
    "status_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sms_states_pkey" PRIMARY KEY ("booking_id")
);

-- CreateTable
CREATE TABLE "roster"."outbox_events" (
    "id" UUID NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "topic" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "outbox_events_seq_key" ON "roster"."outbox_events"("seq");

-- CreateIndex
CREATE INDEX "outbox_events_published_at_idx" ON "roster"."outbox_events"("published_at");
