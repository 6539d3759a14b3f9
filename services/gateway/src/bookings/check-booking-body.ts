import type { CampaignSnapshot } from '@khiw/contracts';
import type { FieldErrors } from '../http/field-errors';
import { eligibilityFieldErrors } from './booking-eligibility';
import { parseBookingInput, type BookingInput } from './booking-input';
import type { CampaignCatalog } from './campaign-catalog';

/**
 * A booking body checked as `POST /api/bookings` checks it, for every way in: every field,
 * then the choice against the campaign, then what makes the person ineligible that the
 * snapshot shows (province, age on the slot's day). Either the input or every field's error.
 */
export async function checkBookingBody(
  catalog: CampaignCatalog,
  campaignId: string,
  snapshot: CampaignSnapshot,
  body: unknown,
): Promise<{ ok: true; input: BookingInput } | { ok: false; fields: FieldErrors }> {
  const parsed = parseBookingInput(body);
  const known = parsed.ok ? parsed.input : parsed.partial;
  const choice = await catalog.checkChoice(campaignId, known, snapshot);
  const ineligible = eligibilityFieldErrors(snapshot, { ...known, startsAt: choice.startsAt });
  // A field's own error (a malformed province code) says more than "required for this campaign".
  const fields = { ...ineligible, ...(parsed.ok ? {} : parsed.fields), ...choice.fields };
  if (!parsed.ok || Object.keys(fields).length > 0) return { ok: false, fields };
  return { ok: true, input: parsed.input };
}
