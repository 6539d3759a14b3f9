-- Channels (issue 11): every booking says how it came in and who entered it, the language its
-- person reads; each campaign says per channel whether it is offered, when, whether through
-- the waiting room, and how many doses are kept for it alone.

UPDATE "booking"."bookings" SET "channel" = CASE "channel"
  WHEN 'call-center' THEN 'call_center' WHEN 'walk-in' THEN 'walk_in' WHEN 'bulk' THEN 'organisation'
  ELSE "channel" END WHERE "channel" IN ('call-center', 'walk-in', 'bulk');
UPDATE "booking"."standby_entries" SET "channel" = CASE "channel"
  WHEN 'call-center' THEN 'call_center' WHEN 'walk-in' THEN 'walk_in' WHEN 'bulk' THEN 'organisation'
  ELSE "channel" END WHERE "channel" IN ('call-center', 'walk-in', 'bulk');

-- language: what the person chose (th, en, my); NULL: the campaign's SMS language.
ALTER TABLE "booking"."bookings" ADD COLUMN "entered_by" TEXT, ADD COLUMN "language" TEXT;
ALTER TABLE "booking"."standby_entries" ADD COLUMN "entered_by" TEXT, ADD COLUMN "language" TEXT;
ALTER TABLE "booking"."bookings" ADD CONSTRAINT "bookings_channel_check"
  CHECK ("channel" IN ('web', 'app', 'store', 'call_center', 'walk_in', 'organisation'));

-- CreateTable
CREATE TABLE "booking"."campaign_channels" (
    "campaign_id" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "offered" BOOLEAN NOT NULL DEFAULT true,
    "hours" JSONB,
    "waiting_room" BOOLEAN NOT NULL DEFAULT false,
    "reserved" INTEGER NOT NULL DEFAULT 0,
    "booked" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "campaign_channels_pkey" PRIMARY KEY ("campaign_id", "channel"),
    CONSTRAINT "campaign_channels_reserved_check" CHECK ("reserved" >= 0),
    CONSTRAINT "campaign_channels_booked_check" CHECK ("booked" >= 0)
);

-- AddForeignKey
ALTER TABLE "booking"."campaign_channels" ADD CONSTRAINT "campaign_channels_campaign_id_fkey"
  FOREIGN KEY ("campaign_id") REFERENCES "booking"."campaigns"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Campaigns loaded before channels: every channel offered, nothing reserved, counts as booked.
INSERT INTO "booking"."campaign_channels" ("campaign_id", "channel", "waiting_room", "booked")
SELECT c.id, ch.channel, ch.channel IN ('web', 'app'),
       (SELECT count(*) FROM "booking"."bookings" b
        WHERE b.campaign_id = c.id AND b.channel = ch.channel AND b.status <> 'cancelled')
FROM "booking"."campaigns" c
CROSS JOIN unnest(ARRAY['web', 'app', 'store', 'call_center', 'walk_in', 'organisation']) AS ch(channel);

-- The count of active bookings per campaign and channel is kept by the database itself, once per
-- statement (a batch of bookings is one INSERT), whatever path writes a booking: a decision, a
-- cancellation, a standby promotion. After counting, the reserves are the last word: the
-- bookings beyond their channel's reserve may not take more than the unreserved doses, so a
-- miscounted decision fails its whole batch, as the CHECK constraints on the other counters do.
CREATE FUNCTION "booking"."count_channel_bookings"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- A channel row for every channel booked (a campaign loaded before channels has them all).
  INSERT INTO "booking"."campaign_channels" ("campaign_id", "channel")
  SELECT DISTINCT campaign_id, channel FROM new_rows ON CONFLICT DO NOTHING;
  IF TG_OP = 'INSERT' THEN
    UPDATE "booking"."campaign_channels" cc SET "booked" = cc."booked" + d.n
    FROM (SELECT campaign_id, channel, count(*)::int AS n FROM new_rows WHERE status <> 'cancelled' GROUP BY 1, 2) d
    WHERE cc.campaign_id = d.campaign_id AND cc.channel = d.channel;
  ELSE
    UPDATE "booking"."campaign_channels" cc SET "booked" = cc."booked" + d.n
    FROM (
      SELECT campaign_id, channel, sum(n)::int AS n FROM (
        SELECT campaign_id, channel, 1 AS n FROM new_rows WHERE status <> 'cancelled'
        UNION ALL
        SELECT campaign_id, channel, -1 AS n FROM old_rows WHERE status <> 'cancelled'
      ) AS moved GROUP BY 1, 2 HAVING sum(n) <> 0
    ) d
    WHERE cc.campaign_id = d.campaign_id AND cc.channel = d.channel;
  END IF;
  IF EXISTS (
    SELECT 1 FROM "booking"."campaign_channels" cc JOIN "booking"."campaigns" c ON c.id = cc.campaign_id
    WHERE cc.campaign_id IN (SELECT DISTINCT campaign_id FROM new_rows)
    GROUP BY c.id, c.total_doses
    HAVING sum(greatest(cc.booked - cc.reserved, 0)) > c.total_doses - sum(cc.reserved)
  ) THEN
    RAISE EXCEPTION 'bookings beyond their channel''s reserve exceed the unreserved doses'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'campaign_channels_reserve_check';
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "bookings_count_channels_insert" AFTER INSERT ON "booking"."bookings"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "booking"."count_channel_bookings"();
CREATE TRIGGER "bookings_count_channels_update" AFTER UPDATE ON "booking"."bookings"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "booking"."count_channel_bookings"();

-- The roster keeps who entered a booking and the person's language, as the bookings do.
ALTER TABLE "roster"."entries" ADD COLUMN "entered_by" TEXT, ADD COLUMN "language" TEXT;
UPDATE "roster"."entries" SET "channel" = CASE "channel"
  WHEN 'call-center' THEN 'call_center' WHEN 'walk-in' THEN 'walk_in' WHEN 'bulk' THEN 'organisation'
  ELSE "channel" END WHERE "channel" IN ('call-center', 'walk-in', 'bulk');

-- Eligibility lists (Bangkok: people registered elsewhere who work in Bangkok): a campaign's
-- `eligibility.orOnList` names a list; a person on it is eligible whatever their province.
-- Imported by ops like the national registry (one row per document id and list).
CREATE TABLE "booking"."eligibility_list_members" (
    "list" TEXT NOT NULL,
    "citizen_id" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "imported_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "eligibility_list_members_pkey" PRIMARY KEY ("list", "citizen_id")
);
