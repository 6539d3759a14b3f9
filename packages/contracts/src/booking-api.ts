import { z } from 'zod';
import { ERROR_CODES } from '@khiw/errors';
import { Appointment } from './booking-outcome';
import { campaignId, citizenId, isoDate } from './primitives';

/**
 * The booking worker's own HTTP API (port 8081, paths under /internal). Only the gateway
 * calls it: residents and staff reach it through the gateway's public routes, which check
 * tokens and rate limits first. When INTERNAL_API_TOKEN is set on both sides, every call
 * carries it in this header and the worker refuses calls without it.
 */
export const INTERNAL_TOKEN_HEADER = 'x-khiw-internal-token';

/** Who the resident is, for self-service: both must match, or nothing is revealed. */
export const ResidentIdentity = z.object({ citizenId, birthDate: isoDate });
export type ResidentIdentity = z.infer<typeof ResidentIdentity>;

/** POST /internal/appointments/lookup */
export const LookupRequest = ResidentIdentity.extend({ campaignId });
export type LookupRequest = z.infer<typeof LookupRequest>;

export const StandbyPlace = z.object({
  standbyId: z.uuid(),
  /** 1 = next to be promoted. */
  position: z.number().int().min(1),
  groupCode: z.string(),
  siteId: z.string(),
  slotId: z.string(),
});
export type StandbyPlace = z.infer<typeof StandbyPlace>;

/** 200 answer of lookup and of GET /internal/requests/:requestId. 404 when nothing matches. */
export const ResidentState = z.object({
  campaignId,
  booking: Appointment.nullable(),
  standby: StandbyPlace.nullable(),
});
export type ResidentState = z.infer<typeof ResidentState>;

/** POST /internal/bookings/:bookingId/cancel: the resident themself, or staff/ops on their behalf. */
export const CancelRequest = z.union([
  ResidentIdentity.extend({ actor: z.literal('resident').default('resident') }),
  z.object({
    actor: z.enum(['staff', 'ops', 'agent']),
    operator: z.string().min(1).max(100),
    /** A site's staff may cancel only that site's bookings; another site's is not found. */
    site: z.string().min(1).max(100).optional(),
    /** A token scoped to one campaign may cancel only its bookings; another's is not found. */
    campaignId: campaignId.optional(),
  }),
]);
export type CancelRequest = z.infer<typeof CancelRequest>;

/** 200 answer of cancel: whether a standby person took the freed dose. */
export const CancelAnswer = z.object({ booking: Appointment, promoted: z.boolean() });

/** POST /internal/bookings/:bookingId/reschedule: only to a slot with room. */
export const RescheduleRequest = ResidentIdentity.extend({ slotId: z.string().min(1).max(60) });
export type RescheduleRequest = z.infer<typeof RescheduleRequest>;

/**
 * Errors of the internal APIs (booking worker and roster): a code, and for bad input what is
 * wrong per field (a field-message key the gateway knows, or a short English detail). No
 * words for people: only the gateway turns codes into Thai and English.
 */
export const InternalProblem = z.object({
  code: z.enum(ERROR_CODES),
  fields: z.record(z.string(), z.string()).optional(),
});
export type InternalProblem = z.infer<typeof InternalProblem>;

/** PATCH /internal/campaigns/:campaignId/groups/:code */
export const QuotaChange = z.object({ quota: z.number().int().min(0) });
/** POST /internal/campaigns/:campaignId/quota-transfers */
export const QuotaTransfer = z.object({
  from: z.string().min(1),
  to: z.string().min(1),
  doses: z.number().int().min(1),
});
/** An organisation's id (its token's `sub`): short and plain, it is recorded on each booking. */
export const ORGANISATION_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** PUT /internal/campaigns/:campaignId/organisations/:organisationId: ops set an organisation's cap. */
export const OrganisationCapBody = z.object({
  // No control characters (a NUL cannot be stored in PostgreSQL text).
  name: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .refine((name) => !/\p{Cc}/u.test(name), 'no control characters'),
  cap: z.number().int().min(0).max(1_000_000),
});
export type OrganisationCapBody = z.infer<typeof OrganisationCapBody>;
/**
 * GET of the same path: the cap and whom it has counted (the citizen ids of the organisation's
 * live bookings and waiting standby places), for the gateway to rebuild its Redis copy.
 */
export const OrganisationCapState = OrganisationCapBody.extend({ citizenIds: z.array(z.string()) });
export type OrganisationCapState = z.infer<typeof OrganisationCapState>;
