import { z } from 'zod';
import { CHANNELS, type Channel } from './primitives';

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'HH:MM');
const weekday = `(${WEEKDAYS.join('|')})`;
const DAYS = new RegExp(`^${weekday}(-${weekday})?(,${weekday}(-${weekday})?)*$`);

/**
 * When a channel takes bookings, in Bangkok time: `days` as ranges and lists of weekdays
 * (`mon-sun`, `mon-sat`, `mon-fri,sun`), `from` inclusive and `to` exclusive (`24:00` for
 * midnight). Bangkok's stores: `{ days: 'mon-sun', from: '09:00', to: '18:00' }`.
 */
export const ChannelHours = z
  .object({ days: z.string().regex(DAYS, 'weekdays like mon-sun or mon-fri,sun'), from: clock, to: clock })
  .refine((h) => h.from < h.to, { message: '`from` must be before `to`', path: ['to'] });
export type ChannelHours = z.infer<typeof ChannelHours>;

/** One channel's settings in a campaign file. */
export const ChannelSettings = z.object({
  hours: ChannelHours.optional(),
  /** Whether its people pass through the waiting room (web and app do by default). */
  waitingRoom: z.boolean().optional(),
  /** The share of the campaign's doses kept for this channel alone (0.1: a tenth). */
  reservedShare: z.number().min(0).max(1).optional(),
});
export type ChannelSettings = z.infer<typeof ChannelSettings>;

/** What the engine keeps per campaign and channel (booking.campaign_channels), derived from the file. */
export interface ChannelRule {
  channel: Channel;
  offered: boolean;
  hours: ChannelHours | null;
  waitingRoom: boolean;
  reserved: number;
}

/**
 * Every channel's rule for a campaign. A file without `channels` offers every channel at
 * every hour with nothing reserved (files written before channels keep working); a file
 * with `channels` offers those it names and no other.
 */
export function channelRules(
  channels: Partial<Record<Channel, ChannelSettings>> | undefined,
  totalDoses: number,
): ChannelRule[] {
  return CHANNELS.map((channel) => {
    const settings = channels?.[channel];
    return {
      channel,
      offered: channels === undefined || settings !== undefined,
      hours: settings?.hours ?? null,
      waitingRoom: settings?.waitingRoom ?? (channel === 'web' || channel === 'app'),
      // Whole doses, rounded down; the epsilon keeps 2000/22000 of 22,000 at 2,000 whatever the float.
      reserved: Math.floor((settings?.reservedShare ?? 0) * totalDoses + 1e-6),
    };
  });
}

const BANGKOK_OFFSET_MS = 7 * 3600 * 1000;

function weekdaysOf(days: string): Set<number> {
  const set = new Set<number>();
  for (const part of days.split(',')) {
    const [first, last = first] = part.split('-') as [string, string?];
    const from = WEEKDAYS.indexOf(first as (typeof WEEKDAYS)[number]);
    const to = WEEKDAYS.indexOf(last as (typeof WEEKDAYS)[number]);
    // A range wraps past Saturday: sat-mon is Saturday, Sunday, Monday.
    for (let d = from; ; d = (d + 1) % 7) {
      set.add(d);
      if (d === to) break;
    }
  }
  return set;
}

/** Whether `at` falls in `hours` (Bangkok time, no daylight saving); no hours: always. */
export function withinHours(hours: ChannelHours | null | undefined, at: Date): boolean {
  if (!hours) return true;
  const local = new Date(at.getTime() + BANGKOK_OFFSET_MS);
  if (!weekdaysOf(hours.days).has(local.getUTCDay())) return false;
  const hhmm = `${String(local.getUTCHours()).padStart(2, '0')}:${String(local.getUTCMinutes()).padStart(2, '0')}`;
  return hhmm >= hours.from && hhmm < hours.to;
}

/**
 * Why a channel takes no booking at `at` (null: it does). The booking worker decides with it
 * under the campaign's lock; the gateway answers early with it from the snapshot. A campaign
 * without channel rules (loaded before channels) takes every channel.
 */
export function channelRefusal(
  rule: { offered: boolean; hours: ChannelHours | null } | undefined,
  at: Date,
): 'CHANNEL_NOT_OFFERED' | 'CHANNEL_CLOSED' | null {
  if (!rule) return null;
  if (!rule.offered) return 'CHANNEL_NOT_OFFERED';
  return withinHours(rule.hours, at) ? null : 'CHANNEL_CLOSED';
}
