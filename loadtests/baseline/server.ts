/**
 * The 2021-style baseline for the whole-path replay (issue 14 item 2): what a provincial site
 * ran then. One express process, no waiting room, no queue, no rate limit: each booking is
 * decided inside its HTTP request, against PostgreSQL, with the guarded SQL of
 * loadtests/booking-bench/book-one.sql (lock the campaign row, guarded UPDATEs of slot, group
 * and campaign total, INSERT booking and outbox row) in one interactive transaction, through a
 * pool of 10 connections. Nothing here gives up on its own: a request waits for a connection
 * and for the campaign row lock as long as it takes, which is what the comparison is about.
 *
 *   PORT=8080 DATABASE_URL=postgresql://postgres@127.0.0.1:5432/khiw_bench CAMPAIGN_ID=... \
 *     node --import tsx loadtests/baseline/server.ts
 *
 * POST /book {citizenId, firstName, lastName, birthDate, phone, groupCode, siteId, slotId}:
 * 201 {bookingId}; 409 {code: 'FULL' | 'ALREADY_BOOKED'}; 400 {code: 'INVALID'}; 500.
 * GET /healthz: 200. Prints `listening <port>` once it accepts connections and is warm.
 */
import express from 'express';
import { createPrismaClient } from '@khiw/db';
import { newBookingReference } from '../../services/booking-worker/src/bookings/booking-reference';

const port = Number(process.env.PORT ?? 0);
const databaseUrl = process.env.DATABASE_URL;
const campaignId = process.env.CAMPAIGN_ID;
if (!databaseUrl || !campaignId) throw new Error('DATABASE_URL and CAMPAIGN_ID are required');

// The default pool a 2021 site had (node-postgres' 10), and pg's default of no limit on the
// wait for a connection: createPgPool's own 10 s limit would be a protection that site lacked.
const prisma = createPrismaClient(databaseUrl, {
  poolSize: 10,
  connectionTimeoutMs: 0,
  applicationName: 'khiw-baseline',
});
// Prisma's own interactive-transaction limits (2 s to start, 5 s to finish) are Prisma's, not
// the 2021 site's: raised far past any bounded run so that only the client ever gives up.
const NO_LIMIT_MS = 60 * 60_000;

const FIELDS = [
  'citizenId',
  'firstName',
  'lastName',
  'birthDate',
  'phone',
  'groupCode',
  'siteId',
  'slotId',
] as const;
type Form = Record<(typeof FIELDS)[number], string>;

/** A guard refused: rolls the transaction back and becomes a 409. */
class Refused extends Error {
  constructor(readonly code: 'FULL' | 'ALREADY_BOOKED') {
    super(code);
  }
}

interface CampaignRow {
  state: string;
  total_doses: number;
  booked_doses: number;
  province_code: string | null;
}
interface SlotRow {
  slot_id: string;
  site_id: string;
  starts_at: Date;
  name_th: string;
  name_en: string;
}

async function book(form: Form): Promise<string> {
  const reference = newBookingReference(10);
  const requestId = `${campaignId}.${form.citizenId}`;
  return prisma.$transaction(
    async (tx) => {
      const [campaign] = await tx.$queryRaw<CampaignRow[]>`
        SELECT state, total_doses, booked_doses, eligibility->>'provinceCode' AS province_code
          FROM booking.campaigns WHERE id = ${campaignId} FOR UPDATE`;
      if (!campaign) throw new Error(`campaign ${campaignId} not found`);
      const [slot] = await tx.$queryRaw<SlotRow[]>`
        UPDATE booking.slots sl SET booked = sl.booked + 1
          FROM booking.sites si
          WHERE sl.campaign_id = ${campaignId} AND sl.id = ${form.slotId} AND sl.site_id = ${form.siteId}
            AND si.campaign_id = sl.campaign_id AND si.id = sl.site_id
            AND sl.booked < sl.capacity
          RETURNING sl.id AS slot_id, sl.site_id, sl.starts_at, si.name_th, si.name_en`;
      if (!slot) throw new Refused('FULL');
      const group = await tx.$queryRaw<{ group_code: string }[]>`
        UPDATE booking.priority_groups SET booked = booked + 1
          WHERE campaign_id = ${campaignId} AND code = ${form.groupCode} AND booked < quota
          RETURNING code AS group_code`;
      if (!group.length) throw new Refused('FULL');
      const total = await tx.$queryRaw<{ booked_doses: number }[]>`
        UPDATE booking.campaigns SET booked_doses = booked_doses + 1, updated_at = now()
          WHERE id = ${campaignId} AND booked_doses < total_doses
          RETURNING booked_doses`;
      if (!total.length) throw new Refused('FULL');
      const [booking] = await tx.$queryRaw<{ booking_id: string }[]>`
        INSERT INTO booking.bookings (id, campaign_id, reference, request_id, citizen_id, first_name, last_name,
            birth_date, phone, group_code, site_id, slot_id, status, channel, province_code)
          VALUES (gen_random_uuid(), ${campaignId}, ${reference}, ${requestId}, ${form.citizenId},
            ${form.firstName}, ${form.lastName}, ${form.birthDate}::date, ${form.phone}, ${form.groupCode},
            ${slot.site_id}, ${slot.slot_id}, 'confirmed', 'web', ${campaign.province_code})
          RETURNING id::text AS booking_id`;
      const bookingId = booking!.booking_id;
      await tx.$queryRaw`
        INSERT INTO booking.outbox_events (id, topic, key, type, payload)
          VALUES (gen_random_uuid(), 'booking.events', ${bookingId}, 'BookingConfirmed', jsonb_build_object(
            'schemaVersion', 1, 'eventId', gen_random_uuid(), 'occurredAt', now(), 'campaignId', ${campaignId}::text,
            'requestId', ${requestId}::text, 'type', 'BookingConfirmed', 'bookingId', ${bookingId}::text,
            'data', jsonb_build_object('reference', ${reference}::text, 'channel', 'web',
              'person', jsonb_build_object('citizenId', ${form.citizenId}::text, 'firstName', ${form.firstName}::text,
                'lastName', ${form.lastName}::text, 'birthDate', ${form.birthDate}::text,
                'phone', ${form.phone}::text, 'groupCode', ${form.groupCode}::text),
              'appointment', jsonb_build_object('siteId', ${slot.site_id}::text, 'siteName',
                jsonb_build_object('th', ${slot.name_th}::text, 'en', ${slot.name_en}::text),
                'slotId', ${slot.slot_id}::text, 'startsAt', ${slot.starts_at.toISOString()}::text))))
          RETURNING 1 AS ok`;
      return bookingId;
    },
    { maxWait: NO_LIMIT_MS, timeout: NO_LIMIT_MS },
  );
}

/**
 * The unique index on (campaign_id, citizen_id) of active bookings (or its twin on request_id)
 * refused the INSERT: the person already holds a booking, typically from an earlier press whose
 * answer the phone never received. The driver adapter's error carries the PostgreSQL code and
 * the index name in different places across Prisma versions, so the whole error is searched.
 */
function isAlreadyBooked(error: unknown): boolean {
  const text = `${String(error)} ${JSON.stringify(error, Object.getOwnPropertyNames(error ?? {}))}`;
  return (
    /bookings_one_active_per_(citizen|request)_key/.test(text) ||
    (/23505|UniqueConstraintViolation/.test(text) && /citizen_id|request_id/.test(text))
  );
}

let errorsLogged = 0;
const app = express();
app.disable('x-powered-by');
app.use(express.json({ limit: '4kb' }));
app.get('/healthz', (_req, res) => void res.json({ ok: true }));
app.post('/book', async (req, res) => {
  const body = (req.body ?? {}) as Record<string, unknown>;
  if (!FIELDS.every((f) => typeof body[f] === 'string' && body[f] !== '')) {
    res.status(400).json({ code: 'INVALID' });
    return;
  }
  try {
    const bookingId = await book(body as Form);
    res.status(201).json({ bookingId });
  } catch (error) {
    if (error instanceof Refused) res.status(409).json({ code: error.code });
    else if (isAlreadyBooked(error)) res.status(409).json({ code: 'ALREADY_BOOKED' });
    else {
      // The first few only: under overload the same error repeats thousands of times.
      if (errorsLogged++ < 5) console.error('booking failed:', (error as Error).message);
      res.status(500).json({ code: 'INTERNAL' });
    }
  }
});

/**
 * A 2021 site had been up for days when the booking opened: its pool connected and Prisma's
 * query compiler loaded. A few read-only transactions before listening do the same here, so
 * that the run does not measure a cold start.
 */
async function warmUp(): Promise<void> {
  await Promise.all(
    Array.from({ length: 20 }, () =>
      prisma.$transaction(async (tx) => {
        const rows = await tx.$queryRaw<{ id: string }[]>`
          SELECT id FROM booking.campaigns WHERE id = ${campaignId}`;
        if (!rows.length) throw new Error(`campaign ${campaignId} not found`);
      }),
    ),
  );
}

const server = app.listen(port, '127.0.0.1');
// Node's own 5-minute request limit never applies within a bounded run; keep-alive sockets of
// the load client stay open between its requests.
server.keepAliveTimeout = 65_000;
server.once('listening', () => {
  warmUp().then(
    () => {
      const address = server.address();
      console.log(`listening ${typeof address === 'object' && address ? address.port : port}`);
    },
    (error: unknown) => {
      console.error('warm-up failed:', error);
      process.exit(1);
    },
  );
});

const stop = () => {
  server.close();
  server.closeAllConnections();
  void prisma.$disconnect().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
