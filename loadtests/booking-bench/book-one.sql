-- One booking, decided and written alone: what the booking worker does for a batch, for a
-- batch of one and without batching. Run by loadtests/booking.bench.ts as
--   pgbench -n -M prepared -f book-one.sql -D campaign=<id> -D sites=SKH,KTB,... \
--     -D first_day=2021-08-02 -D days=14 -D times=0900,1000,... -D groups=disabled,...
--     -D run=<1..99> -D seq=0 ...
-- against a copy of the sample campaign whose capacities are raised so it never runs out:
-- every guarded UPDATE finds room (a guard that fails makes \gset fail, which pgbench counts
-- as an error, so a run with 0 failed transactions booked every time).
-- The statements are the worker's (reserve-bookings.usecase.ts), one row each: lock the
-- campaign row, take a place in the slot (reading its site, as the worker does for the
-- answer and the event), in the group and in the campaign total, insert the booking and its
-- BookingConfirmed outbox row.
\set site random(1, :nsites)
\set day random(0, :days - 1)
\set time random(1, :ntimes)
\set group random(1, :ngroups)
-- Distinct people: run number, client number and a per-client counter (13 digits).
\set seq :seq + 1
BEGIN;
SELECT state, total_doses, booked_doses, standby_size, standby_count, eligibility
  FROM booking.campaigns WHERE id = :campaign::text FOR UPDATE;
UPDATE booking.slots sl SET booked = sl.booked + 1
  FROM booking.sites si
  WHERE sl.campaign_id = :campaign::text
    AND sl.id = split_part(:sites::text, ',', :site::int) || '-' || to_char(:first_day::date + :day::int, 'YYYYMMDD') || '-' || split_part(:times::text, ',', :time::int)
    AND si.campaign_id = sl.campaign_id AND si.id = sl.site_id
    AND sl.booked < sl.capacity
  RETURNING sl.id AS slot_id, sl.site_id, sl.starts_at, si.name_th, si.name_en, lpad(:run::text, 2, '0') || lpad(:client_id::text, 2, '0') || lpad(:seq::text, 9, '0') AS citizen \gset
UPDATE booking.priority_groups SET booked = booked + 1
  WHERE campaign_id = :campaign::text AND code = split_part(:groups::text, ',', :group::int) AND booked < quota
  RETURNING code AS group_code \gset
UPDATE booking.campaigns SET booked_doses = booked_doses + 1, updated_at = now()
  WHERE id = :campaign::text AND booked_doses < total_doses
  RETURNING booked_doses \gset
INSERT INTO booking.bookings (id, campaign_id, reference, request_id, citizen_id, first_name, last_name,
    birth_date, phone, group_code, site_id, slot_id, status, channel, province_code)
  VALUES (gen_random_uuid(), :campaign::text, 'PG' || :citizen::text, :campaign::text || '.' || :citizen::text, :citizen::text,
    'สมชาย', 'ใจดี', '1980-05-17', '+66891234567', :group_code::text, :site_id::text, :slot_id::text, 'confirmed', 'web', '74')
  RETURNING id AS booking_id \gset
INSERT INTO booking.outbox_events (id, topic, key, type, payload)
  VALUES (gen_random_uuid(), 'booking.events', :booking_id::text, 'BookingConfirmed', jsonb_build_object(
    'schemaVersion', 1, 'eventId', gen_random_uuid(), 'occurredAt', now(), 'campaignId', :campaign::text,
    'requestId', :campaign::text || '.' || :citizen::text, 'type', 'BookingConfirmed', 'bookingId', :booking_id::text,
    'data', jsonb_build_object('reference', 'PG' || :citizen::text, 'channel', 'web',
      'person', jsonb_build_object('citizenId', :citizen::text, 'firstName', 'สมชาย', 'lastName', 'ใจดี',
        'birthDate', '1980-05-17', 'phone', '+66891234567', 'groupCode', :group_code::text),
      'appointment', jsonb_build_object('siteId', :site_id::text, 'siteName',
        jsonb_build_object('th', :name_th::text, 'en', :name_en::text), 'slotId', :slot_id::text, 'startsAt', :starts_at::text))));
COMMIT;
