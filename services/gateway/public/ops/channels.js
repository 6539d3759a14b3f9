// The ways in (issue 11): per channel, whether offered, its hours, its reserve and what it has
// booked (from the overview's snapshot figures); and per site and day, the places each channel
// took (the roster's counts, read once a minute: a province checks its 12,000 a day here).
import { $ } from '../shared/dom.js';
import { fig, rows } from './figures.js';
import { shortDay } from './format.js';
import { t } from './i18n.js';

const hoursText = (hours) => (hours ? `${hours.days} ${hours.from}-${hours.to}` : t('anyHour'));

/** One row per channel the campaign offers (or has bookings through). */
export function renderChannels(channels = []) {
  const shown = channels.filter((c) => c.offered || c.booked > 0);
  rows(
    $('channels'),
    shown,
    (c) => c.channel,
    (c) => [
      { text: t(`channel.${c.channel}`) ?? c.channel, header: true },
      { text: c.offered ? hoursText(c.hours) : t('notOffered') },
      { ...fig(`channels.reserved.${c.channel}`, c.reserved), className: 'num' },
      { ...fig(`channels.booked.${c.channel}`, c.booked), className: 'num' },
    ],
  );
}

/** Site and day down, channels across: active bookings (the roster's `channels` rows). */
export function renderChannelDays(counts) {
  const list = counts?.channels ?? [];
  const channels = [...new Set(list.map((r) => r.channel))].sort();
  const head = $('channel-days-head');
  head.replaceChildren(
    ...[t('site'), t('day'), ...channels.map((c) => t(`channel.${c}`) ?? c), t('all')].map((text, i) => {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = text;
      if (i >= 2) th.className = 'num';
      return th;
    }),
  );
  const days = new Map();
  for (const r of list) {
    const key = `${r.siteId}|${r.date}`;
    const day = days.get(key) ?? { siteId: r.siteId, date: r.date, by: {} };
    day.by[r.channel] = r.booked;
    days.set(key, day);
  }
  rows(
    $('channel-days'),
    [...days.values()],
    (d) => `${d.siteId}|${d.date}|${channels.join(',')}`,
    (d) => [
      { text: d.siteId, header: true },
      { text: shortDay(d.date) },
      ...channels.map((c) => ({
        ...fig(`channelDay.${d.siteId}.${d.date}.${c}`, d.by[c] ?? 0),
        className: 'num',
      })),
      {
        ...fig(
          `channelDay.${d.siteId}.${d.date}`,
          Object.values(d.by).reduce((a, b) => a + b, 0),
        ),
        className: 'num',
      },
    ],
  );
}
