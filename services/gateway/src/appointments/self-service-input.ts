import { z } from 'zod';
import { birthDateField, citizenIdField, codeField } from '../http/resident-fields';

// The shape of contracts' campaignId, with a message the resident can read.
const CAMPAIGN_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Who the resident is: both must match on the worker, or nothing is revealed. */
const identity = { citizenId: citizenIdField, birthDate: birthDateField };

export const LookupInput = z.object(
  {
    campaignId: z
      .string({ error: (i) => (i.input === undefined ? 'required' : 'codeFormat') })
      .regex(CAMPAIGN_ID, 'codeFormat'),
    ...identity,
  },
  { error: 'body' },
);

export const CancelInput = z.object(identity, { error: 'body' });

export const RescheduleInput = z.object({ ...identity, slotId: codeField(60) }, { error: 'body' });

export const BookingIdParam = z.uuid({ error: 'bookingId' });
