import { randomUUID } from 'node:crypto';
import {
  channelRefusal,
  type Appointment,
  type BookingOutcome,
  type BookingRequestJob,
  type RejectionCode,
} from '@khiw/contracts';
import {
  appointmentOf,
  confirmedEvent,
  rejectedEvent,
  standbyEvent,
  type OutboxRow,
  type PersonFacts,
} from './booking-events';
import { newBookingReference } from './booking-reference';
import { eligibilityProblem } from './eligibility';
import type {
  BatchRows,
  BatchWrites,
  CampaignRow,
  NewBooking,
  NewStandby,
  SlotRow,
} from './reservation-store';

export interface BatchInput extends BatchRows {
  campaignId: string;
  /** The campaign row, read under its lock. */
  campaign: CampaignRow;
  /** In arrival order: earlier requests are decided first. */
  requests: BookingRequestJob[];
}

/** Where new booking ids, standby ids and booking references come from (pinned in tests). */
export interface IdMakers {
  newId: () => string;
  newReference: () => string;
}

export const RANDOM_IDS: IdMakers = { newId: randomUUID, newReference: () => newBookingReference() };

export interface BatchDecision extends BatchWrites {
  /** One per request, in the order of the requests. */
  outcomes: BookingOutcome[];
  /** Whether any counter changed (the published snapshot is stale). */
  changed: boolean;
}

/**
 * Decides a batch of booking requests for one campaign from the rows read under the campaign's
 * lock; no I/O. For each request, in order: a request already decided (a retried job) gets
 * its earlier answer; otherwise the campaign's state, the group, the slot and its site, then
 * eligibility (DESIGN.md invariant 5) and one active booking or standby place per citizen;
 * then the channel (offered, in its hours at submission); then a dose: slot capacity, group
 * quota, campaign total and the channel's share (its own reserve, or an unreserved dose) all
 * or none. When the
 * campaign's doses (or the request's group quota) are gone, an eligible request joins the
 * bounded, ordered standby list; when that is full too, SOLD_OUT. Counters are kept here as
 * requests are decided, so one batch never hands out more than there is.
 */
export function decideBatch(input: BatchInput, ids: IdMakers = RANDOM_IDS): BatchDecision {
  const { campaignId, campaign, requests } = input;
  const earlierBooking = new Map(input.earlierBookings.map((row) => [row.request_id, row]));
  const earlierPlace = new Map(input.earlierStandby.map((row) => [row.request_id, row]));
  const taken = new Set(input.bookedCitizens);
  const listed = new Set(input.vaccinatedCitizens);
  const onList = new Set(input.listedCitizens);
  const groups = new Map(input.groups.map((g) => [g.code, { ...g }]));
  const slots = new Map(input.slots.map((s) => [s.id, { ...s }]));
  let dosesLeft = campaign.total_doses - campaign.booked_doses;
  let standbyLeft = campaign.standby_size - campaign.standby_count;
  let position = campaign.standby_last_position;
  // Channels: each may always use its own reserve; beyond it, all share the unreserved doses.
  const channels = new Map(input.channels.map((c) => [c.channel, { ...c }]));
  let unreservedLeft = campaign.total_doses;
  for (const c of channels.values()) unreservedLeft -= c.reserved + Math.max(0, c.booked - c.reserved);

  const newBookings: NewBooking[] = [];
  const newStandby: NewStandby[] = [];
  const events: OutboxRow[] = [];
  const slotCounts = new Map<string, number>();
  const groupCounts = new Map<string, number>();

  const outcomes = requests.map((request): BookingOutcome => {
    const before = earlierBooking.get(request.requestId);
    if (before) return confirmed(before.booking_id, before.reference, before.group_code, before);
    const place = earlierPlace.get(request.requestId);
    if (place) {
      return {
        status: 'standby',
        standby: { standbyId: place.id, position: place.position, siteId: place.site_id },
      };
    }
    const reject = (reason: RejectionCode): BookingOutcome => {
      events.push(
        rejectedEvent({
          campaignId,
          requestId: request.requestId,
          reason,
          phone: request.phone,
          submittedAt: request.submittedAt,
          slotId: request.slotId,
        }),
      );
      return rejected(reason);
    };

    if (campaign.state === 'closed') return reject('CAMPAIGN_CLOSED');
    const channel = channels.get(request.channel);
    const closed = channelRefusal(channel, new Date(request.submittedAt));
    if (closed) return reject(closed);
    const group = groups.get(request.groupCode);
    if (!group) return reject('UNKNOWN_GROUP');
    const slot = slots.get(request.slotId);
    if (!slot) return reject('UNKNOWN_SLOT');
    // Invariant 4: the chosen site is the one booked, never a default or a neighbour.
    if (slot.site_id !== request.siteId) return reject('SITE_MISMATCH');
    const problem = eligibilityProblem(
      campaign.eligibility,
      { minAgeYears: group.min_age_years, maxAgeYears: group.max_age_years },
      {
        citizenId: request.citizenId,
        birthDate: request.birthDate,
        provinceCode: request.provinceCode,
        alreadyVaccinated: listed.has(request.citizenId),
        onList: onList.has(request.citizenId),
      },
      slot.starts_at,
    );
    if (problem) return reject(problem);
    if (taken.has(request.citizenId)) return reject('ALREADY_BOOKED');

    const ownReserve = channel !== undefined && channel.booked < channel.reserved;
    const channelFits = channel === undefined || ownReserve || unreservedLeft > 0;
    if (dosesLeft > 0 && group.booked < group.quota && channelFits) {
      if (slot.booked >= slot.capacity) return reject('SLOT_FULL');
      dosesLeft -= 1;
      if (channel) channel.booked += 1;
      if (channel && !ownReserve) unreservedLeft -= 1;
      group.booked += 1;
      slot.booked += 1;
      groupCounts.set(group.code, (groupCounts.get(group.code) ?? 0) + 1);
      slotCounts.set(slot.id, (slotCounts.get(slot.id) ?? 0) + 1);
      taken.add(request.citizenId);
      const booking = { id: ids.newId(), reference: ids.newReference(), request };
      newBookings.push(booking);
      events.push(
        confirmedEvent({
          campaignId,
          requestId: request.requestId,
          bookingId: booking.id,
          reference: booking.reference,
          channel: request.channel,
          ...(request.enteredBy !== undefined && { enteredBy: request.enteredBy }),
          ...(request.language !== undefined && { language: request.language }),
          person: personOf(request),
          appointment: appointmentOf({ ...slot, slot_id: slot.id }),
        }),
      );
      return confirmed(booking.id, booking.reference, group.code, slot);
    }
    if (standbyLeft <= 0) return reject('SOLD_OUT');
    standbyLeft -= 1;
    position += 1;
    taken.add(request.citizenId);
    const entry = { id: ids.newId(), position, request };
    newStandby.push(entry);
    events.push(
      standbyEvent({
        campaignId,
        requestId: request.requestId,
        standbyId: entry.id,
        position,
        person: personOf(request),
      }),
    );
    return { status: 'standby', standby: { standbyId: entry.id, position, siteId: request.siteId } };
  });

  return {
    outcomes,
    newBookings,
    newStandby,
    slotCounts,
    groupCounts,
    standbyLastPosition: position,
    events,
    soldOut: newBookings.length > 0 && dosesLeft === 0,
    changed: newBookings.length > 0 || newStandby.length > 0,
  };
}

function confirmed(bookingId: string, reference: string, groupCode: string, slot: SlotRow): BookingOutcome {
  const booking: Appointment = {
    bookingId,
    reference,
    status: 'confirmed',
    groupCode,
    ...appointmentOf({ ...slot, slot_id: slot.id }),
  };
  return { status: 'confirmed', booking };
}

export function rejected(reason: RejectionCode): BookingOutcome {
  return { status: 'rejected', reason };
}

function personOf(r: BookingRequestJob): PersonFacts {
  return {
    citizenId: r.citizenId,
    firstName: r.firstName,
    lastName: r.lastName,
    birthDate: r.birthDate,
    phone: r.phone,
    groupCode: r.groupCode,
  };
}
