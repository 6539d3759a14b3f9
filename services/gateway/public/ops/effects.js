// What a control will do, in words, from the figures on screen right now: the confirmation
// dialog names the effect ("admits 2,000 a minute: the last person in line waits ~14 min")
// rather than the setting, so an operator sees the consequence before clicking.
import { local } from '../shared/i18n-core.js';
import { duration, number } from './format.js';
import { t } from './i18n.js';

const roomOf = (overview) => overview?.room ?? {};
const settingsOf = (overview) => roomOf(overview).settings ?? {};

/** Seconds the last person in line waits at `perMinute` admissions (everyone waiting / rate). */
export const lastPersonWaitSeconds = (waiting, perMinute) =>
  perMinute > 0 ? Math.ceil((Math.max(0, waiting) / perMinute) * 60) : null;

const groupName = (overview, code) => {
  const group = overview?.doses?.groups?.find((g) => g.code === code);
  return { name: group ? local(group.name) || code : code, remaining: group?.remaining ?? null };
};

/** `before → after` for a figure that a move changes. */
const change = (before, delta) =>
  before === null ? t('none') : `${number(before)} → ${number(before + delta)}`;

/** The sentence for control `kind` with the value(s) the operator typed. */
export function effectOf(kind, overview, input = {}) {
  const room = roomOf(overview);
  const settings = settingsOf(overview);
  const waiting = room.waiting ?? 0;
  switch (kind) {
    case 'outflow': {
      const perMinute = input.value;
      if (perMinute <= 0) return t('effectOutflowZero', number(waiting));
      return t('effectOutflow', number(perMinute), duration(lastPersonWaitSeconds(waiting, perMinute)));
    }
    case 'pause':
      return t('effectPause', number(waiting));
    case 'resume': {
      const perMinute = settings.outflowPerMinute ?? 0;
      if (perMinute <= 0) return t('effectOutflowZero', number(waiting));
      return t('effectResume', number(perMinute), duration(lastPersonWaitSeconds(waiting, perMinute)));
    }
    case 'maxActive': {
      const active = room.active ?? 0;
      const key = input.value <= active ? 'effectMaxActiveBelow' : 'effectMaxActive';
      return t(key, number(input.value), number(active));
    }
    case 'pow':
      return t(
        'effectPow',
        input.value,
        number(2 ** input.value),
        number(2 ** (settings.powDifficulty ?? 0)),
      );
    case 'openNow':
      return t('effectOpenNow', number(room.prequeue ?? 0), number(settings.outflowPerMinute ?? 0));
    case 'soldOut':
      return t('effectSoldOut', number(waiting));
    case 'quota': {
      const from = groupName(overview, input.from);
      const to = groupName(overview, input.to);
      return t(
        'effectQuota',
        number(input.doses),
        from.name,
        change(from.remaining, -input.doses),
        to.name,
        change(to.remaining, input.doses),
      );
    }
    default:
      return '';
  }
}
