-- khiw initial schema. Written by hand in the shape `prisma migrate diff` produces (the
-- Prisma schema engine binary cannot be fetched on the project's machines); the sections
-- marked "not expressible in schema.prisma" are what Prisma cannot describe.
-- Never edit this file once applied anywhere: src/migrate.ts refuses a changed checksum.

-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "booking";

-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "notification";

-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "roster";

-- CreateTable
CREATE TABLE "booking"."campaigns" (
    "id" TEXT NOT NULL,
    "name_th" TEXT NOT NULL,
    "name_en" TEXT NOT NULL,
    "vaccine" TEXT NOT NULL,
    "timezone" TEXT NOT NULL,
    "opens_at" TIMESTAMPTZ(3) NOT NULL,
    "closes_when_full" BOOLEAN NOT NULL,
    "total_doses" INTEGER NOT NULL,
    "booked_doses" INTEGER NOT NULL DEFAULT 0,
    "standby_size" INTEGER NOT NULL,
    "standby_count" INTEGER NOT NULL DEFAULT 0,
    "state" TEXT NOT NULL DEFAULT 'scheduled',
    "eligibility" JSONB NOT NULL,
    "sms" JSONB NOT NULL,
    "source" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "campaigns_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "booking"."priority_groups" (
    "campaign_id" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "name_th" TEXT NOT NULL,
    "name_en" TEXT NOT NULL,
    "quota" INTEGER NOT NULL,
    "booked" INTEGER NOT NULL DEFAULT 0,
    "sort_order" INTEGER NOT NULL,

    CONSTRAINT "priority_groups_pkey" PRIMARY KEY ("campaign_id","code")
);

-- CreateTable
CREATE TABLE "booking"."sites" (
    "campaign_id" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "name_th" TEXT NOT NULL,
    "name_en" TEXT NOT NULL,
    "kind" TEXT NOT NULL,

    CONSTRAINT "sites_pkey" PRIMARY KEY ("campaign_id","id")
);

-- CreateTable
CREATE TABLE "booking"."slots" (
    "campaign_id" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "site_id" TEXT NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "capacity" INTEGER NOT NULL,
    "booked" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "slots_pkey" PRIMARY KEY ("campaign_id","id")
);

-- CreateTable
CREATE TABLE "booking"."bookings" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "campaign_id" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "request_id" TEXT NOT NULL,
    "citizen_id" TEXT NOT NULL,
    "first_name" TEXT NOT NULL,
    "last_name" TEXT NOT NULL,
    "birth_date" DATE NOT NULL,
    "phone" TEXT NOT NULL,
    "group_code" TEXT NOT NULL,
    "site_id" TEXT NOT NULL,
    "slot_id" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "channel" TEXT NOT NULL DEFAULT 'web',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "bookings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "booking"."outbox_events" (
    "id" UUID NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "topic" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,

    CONSTRAINT "outbox_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "roster"."entries" (
    "booking_id" UUID NOT NULL,
    "campaign_id" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "citizen_id" TEXT NOT NULL,
    "birth_date" DATE NOT NULL,
    "first_name" TEXT NOT NULL,
    "last_name" TEXT NOT NULL,
    "group_code" TEXT NOT NULL,
    "site_id" TEXT NOT NULL,
    "slot_id" TEXT NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "status" TEXT NOT NULL,
    "sms_status" TEXT,
    "last_event_id" UUID NOT NULL,
    "last_event_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "entries_pkey" PRIMARY KEY ("booking_id")
);

-- CreateTable
CREATE TABLE "roster"."processed_events" (
    "event_id" UUID NOT NULL,
    "consumer" TEXT NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_events_pkey" PRIMARY KEY ("event_id")
);

-- CreateTable
CREATE TABLE "notification"."sms_messages" (
    "id" UUID NOT NULL,
    "booking_id" UUID NOT NULL,
    "campaign_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "phone" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "segments" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "provider_message_id" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),
    "delivered_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sms_messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notification"."delivery_reports" (
    "id" BIGSERIAL NOT NULL,
    "sms_id" UUID NOT NULL,
    "provider_status" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "raw" JSONB NOT NULL,

    CONSTRAINT "delivery_reports_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "slots_campaign_id_site_id_starts_at_idx" ON "booking"."slots"("campaign_id", "site_id", "starts_at");

-- CreateIndex
CREATE UNIQUE INDEX "bookings_reference_key" ON "booking"."bookings"("reference");

-- CreateIndex
CREATE UNIQUE INDEX "bookings_request_id_key" ON "booking"."bookings"("request_id");

-- CreateIndex
CREATE UNIQUE INDEX "outbox_events_seq_key" ON "booking"."outbox_events"("seq");

-- CreateIndex
CREATE INDEX "entries_campaign_id_site_id_starts_at_idx" ON "roster"."entries"("campaign_id", "site_id", "starts_at");

-- CreateIndex
CREATE INDEX "entries_campaign_id_citizen_id_idx" ON "roster"."entries"("campaign_id", "citizen_id");

-- CreateIndex
CREATE INDEX "sms_messages_booking_id_idx" ON "notification"."sms_messages"("booking_id");

-- AddForeignKey
ALTER TABLE "booking"."priority_groups" ADD CONSTRAINT "priority_groups_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "booking"."campaigns"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "booking"."sites" ADD CONSTRAINT "sites_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "booking"."campaigns"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "booking"."slots" ADD CONSTRAINT "slots_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "booking"."campaigns"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "booking"."slots" ADD CONSTRAINT "slots_campaign_id_site_id_fkey" FOREIGN KEY ("campaign_id", "site_id") REFERENCES "booking"."sites"("campaign_id", "id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "booking"."bookings" ADD CONSTRAINT "bookings_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "booking"."campaigns"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "booking"."bookings" ADD CONSTRAINT "bookings_campaign_id_group_code_fkey" FOREIGN KEY ("campaign_id", "group_code") REFERENCES "booking"."priority_groups"("campaign_id", "code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "booking"."bookings" ADD CONSTRAINT "bookings_campaign_id_slot_id_fkey" FOREIGN KEY ("campaign_id", "slot_id") REFERENCES "booking"."slots"("campaign_id", "id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notification"."delivery_reports" ADD CONSTRAINT "delivery_reports_sms_id_fkey" FOREIGN KEY ("sms_id") REFERENCES "notification"."sms_messages"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Not expressible in schema.prisma: PostgreSQL itself refuses overbooking (DESIGN.md §3.1),
-- whatever the application or a lost cache believes.
ALTER TABLE "booking"."campaigns" ADD CONSTRAINT "campaigns_booked_doses_check" CHECK ("booked_doses" >= 0 AND "booked_doses" <= "total_doses");
ALTER TABLE "booking"."campaigns" ADD CONSTRAINT "campaigns_standby_count_check" CHECK ("standby_count" >= 0 AND "standby_count" <= "standby_size");
ALTER TABLE "booking"."priority_groups" ADD CONSTRAINT "priority_groups_booked_check" CHECK ("booked" >= 0 AND "booked" <= "quota");
ALTER TABLE "booking"."slots" ADD CONSTRAINT "slots_booked_check" CHECK ("booked" >= 0 AND "booked" <= "capacity");

-- Not expressible in schema.prisma: the status list is closed, because the partial unique
-- index below treats every status except 'cancelled' as active; a misspelt status must fail.
ALTER TABLE "booking"."bookings" ADD CONSTRAINT "bookings_status_check" CHECK ("status" IN ('confirmed', 'cancelled'));

-- Not expressible in schema.prisma: one active booking per citizen per campaign
-- (DESIGN.md §3.2); a cancelled booking no longer blocks a new one.
CREATE UNIQUE INDEX "bookings_one_active_per_citizen_key" ON "booking"."bookings"("campaign_id", "citizen_id") WHERE "status" <> 'cancelled';

-- Not expressible in schema.prisma: what the outbox relay scans, in publish order.
CREATE INDEX "outbox_events_unpublished_idx" ON "booking"."outbox_events"("seq") WHERE "published_at" IS NULL;
