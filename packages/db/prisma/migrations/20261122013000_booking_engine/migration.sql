-- Booking engine (issue 4): eligibility data, the standby list, self-service cancellation.
-- Written by hand in the shape `prisma migrate diff` produces; the sections marked
-- "not expressible in schema.prisma" are what Prisma cannot describe.
-- Never edit this file once applied anywhere: src/migrate.ts refuses a changed checksum.

-- AlterTable
ALTER TABLE "booking"."campaigns" ADD COLUMN "standby_last_position" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "booking"."priority_groups" ADD COLUMN "min_age_years" INTEGER,
ADD COLUMN "max_age_years" INTEGER;

-- AlterTable
ALTER TABLE "booking"."bookings" ADD COLUMN "province_code" TEXT,
ADD COLUMN "standby_id" UUID,
ADD COLUMN "cancelled_at" TIMESTAMPTZ(3),
ADD COLUMN "cancelled_by" TEXT;

-- DropIndex: a request id is unique among active bookings only (partial index below), so a
-- person who cancelled can book again under the same request id (campaign + citizen).
DROP INDEX "booking"."bookings_request_id_key";

-- CreateTable
CREATE TABLE "booking"."standby_entries" (
    "id" UUID NOT NULL,
    "campaign_id" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "request_id" TEXT NOT NULL,
    "citizen_id" TEXT NOT NULL,
    "first_name" TEXT NOT NULL,
    "last_name" TEXT NOT NULL,
    "birth_date" DATE NOT NULL,
    "phone" TEXT NOT NULL,
    "province_code" TEXT,
    "group_code" TEXT NOT NULL,
    "site_id" TEXT NOT NULL,
    "slot_id" TEXT NOT NULL,
    "channel" TEXT NOT NULL DEFAULT 'web',
    "status" TEXT NOT NULL DEFAULT 'waiting',
    "booking_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "standby_entries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "booking"."registry_vaccinated" (
    "citizen_id" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "imported_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "registry_vaccinated_pkey" PRIMARY KEY ("citizen_id")
);

-- CreateIndex
CREATE INDEX "bookings_campaign_id_citizen_id_idx" ON "booking"."bookings"("campaign_id", "citizen_id");

-- CreateIndex
CREATE INDEX "bookings_request_id_idx" ON "booking"."bookings"("request_id");

-- CreateIndex
CREATE UNIQUE INDEX "standby_entries_request_id_key" ON "booking"."standby_entries"("request_id");

-- CreateIndex
CREATE UNIQUE INDEX "standby_entries_campaign_id_position_key" ON "booking"."standby_entries"("campaign_id", "position");

-- CreateIndex
CREATE INDEX "standby_entries_campaign_id_citizen_id_idx" ON "booking"."standby_entries"("campaign_id", "citizen_id");

-- AddForeignKey
ALTER TABLE "booking"."standby_entries" ADD CONSTRAINT "standby_entries_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "booking"."campaigns"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Not expressible in schema.prisma: one active booking per request id (invariant 2, with
-- bookings_one_active_per_citizen_key); a cancelled booking frees its request id.
CREATE UNIQUE INDEX "bookings_one_active_per_request_key" ON "booking"."bookings"("request_id") WHERE "status" <> 'cancelled';

-- Not expressible in schema.prisma: the standby list's statuses, and one waiting place per
-- citizen per campaign.
ALTER TABLE "booking"."standby_entries" ADD CONSTRAINT "standby_entries_status_check" CHECK ("status" IN ('waiting', 'promoted', 'withdrawn'));
CREATE UNIQUE INDEX "standby_one_waiting_per_citizen_key" ON "booking"."standby_entries"("campaign_id", "citizen_id") WHERE "status" = 'waiting';

-- Not expressible in schema.prisma: what promotion scans, in standby order.
CREATE INDEX "standby_entries_waiting_idx" ON "booking"."standby_entries"("campaign_id", "position") WHERE "status" = 'waiting';

-- Not expressible in schema.prisma: a group's age window is a window.
ALTER TABLE "booking"."priority_groups" ADD CONSTRAINT "priority_groups_age_window_check" CHECK ("min_age_years" IS NULL OR "max_age_years" IS NULL OR "min_age_years" <= "max_age_years");
