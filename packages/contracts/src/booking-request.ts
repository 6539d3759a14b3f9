import { z } from 'zod';
import {
  campaignId,
  channel,
  citizenId,
  e164Phone,
  enteredBy,
  isoDate,
  isoDateTime,
  language,
} from './primitives';

/** BullMQ queue names. A namespace prefix (KHIW_NAMESPACE) goes into BullMQ's own `prefix`. */
export const QUEUES = { booking: 'booking', sms: 'sms' } as const;

/**
 * One job on the `booking` queue: one person's request, already validated by the gateway and
 * validated again by the worker. The job id is derived from campaign + citizen, so a double
 * submit is the same job (DESIGN.md invariant 2).
 */
export const BookingRequestJob = z.object({
  schemaVersion: z.literal(1),
  requestId: z.string().min(8).max(128),
  campaignId,
  citizenId,
  firstName: z.string().min(1).max(100),
  lastName: z.string().min(1).max(100),
  birthDate: isoDate,
  phone: e164Phone,
  groupCode: z.string().min(1).max(40),
  siteId: z.string().min(1).max(40),
  slotId: z.string().min(1).max(60),
  /** Province of residence (house registration) as the resident declares it: 2-digit code. */
  provinceCode: z
    .string()
    .regex(/^\d{2}$/, '2-digit province code')
    .optional(),
  channel: channel.default('web'),
  /** Who entered it for the person (an agent, an organisation, a partner); absent: the person. */
  enteredBy: enteredBy.optional(),
  /** The language the person chose for their SMS; absent: the campaign's (sms.language). */
  language: language.optional(),
  submittedAt: isoDateTime,
});
export type BookingRequestJob = z.infer<typeof BookingRequestJob>;

/** The stable part of a request id: the same person in the same campaign maps to one job. */
export function bookingRequestId(campaign: string, hashedCitizen: string): string {
  return `${campaign}.${hashedCitizen}`;
}
