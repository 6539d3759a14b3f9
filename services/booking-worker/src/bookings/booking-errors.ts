/** Why a request did not become a booking; stable codes the gateway maps to Thai/English text. */
export const REJECTION_CODES = [
  'SLOT_FULL',
  'GROUP_QUOTA_FULL',
  'SOLD_OUT',
  'UNKNOWN_CAMPAIGN',
  'UNKNOWN_SLOT',
  'UNKNOWN_GROUP',
  'SITE_MISMATCH',
] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

export class BookingRejected extends Error {
  readonly retriable = false;
  constructor(readonly code: RejectionCode) {
    super(code);
    this.name = 'BookingRejected';
  }
}
