-- Organisation caps (issue 11): how many people an organisation may book in a campaign, set by
-- ops. Kept here, not only in Redis: Redis runs without persistence, and a restart must lose
-- neither the cap nor whom it has counted (those are the organisation's bookings and standby
-- places, entered_by = 'organisation:<id>').
CREATE TABLE "booking"."organisation_caps" (
    "campaign_id" TEXT NOT NULL,
    "organisation_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "cap" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "organisation_caps_pkey" PRIMARY KEY ("campaign_id", "organisation_id"),
    CONSTRAINT "organisation_caps_cap_check" CHECK ("cap" >= 0),
    CONSTRAINT "organisation_caps_campaign_id_fkey" FOREIGN KEY ("campaign_id")
      REFERENCES "booking"."campaigns"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- Whom an organisation entered, per campaign (the rebuild after a Redis restart reads it).
CREATE INDEX "bookings_campaign_id_entered_by_idx" ON "booking"."bookings"("campaign_id", "entered_by");
CREATE INDEX "standby_entries_campaign_id_entered_by_idx" ON "booking"."standby_entries"("campaign_id", "entered_by");
