// Draws one `GET /api/admin/ops/overview` answer into the panels. Each figure keeps its
// `data-figure` name; null in the answer means "nobody reports this" and shows as '–'.
import { $ } from '../shared/dom.js';
import { local } from '../shared/i18n-core.js';
import { renderChannels } from './channels.js';
import { emptyNote, fig, rows, setFigure } from './figures.js';
import { duration, isNumber, number, percent, rate, shortDay, stamp } from './format.js';
import { t } from './i18n.js';

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'];

/** A word for a code the console knows, else the code itself (a new outcome still shows). */
function word(prefix, code) {
  const text = t(`${prefix}.${code}`);
  return text === undefined ? code : text;
}

function renderRoom(root, room) {
  const settings = room?.settings ?? {};
  const set = (name, value, text, className) => setFigure(root, name, value, text, className);
  set('room.state', room?.state ?? null, room ? word('state', room.state) : '');
  set('room.waiting', room?.waiting ?? null);
  set('room.prequeue', room?.prequeue ?? null);
  set('room.active', room?.active ?? null);
  set('room.admittedPerMinute.set', settings.outflowPerMinute ?? null);
  const observed = room?.admittedPerMinute?.observed ?? null;
  set('room.admittedPerMinute.observed', observed, rate(observed));
  const eta = room?.etaLastPersonSeconds;
  const stuck = room && eta === null && room.waiting > 0;
  set('room.etaLastPersonSeconds', eta ?? null, stuck ? t('notMoving') : duration(eta), stuck ? 'bad' : '');
  const away = room?.abandoned?.awayShare ?? null;
  set('room.awayShare', away, percent(away));
  set('room.admittedTotal', room?.totals?.admitted ?? null);
  set('room.joins', room?.totals?.joins ?? null);
  set('room.servingNumber', room?.servingNumber ?? null);
  set('room.lastNumber', room?.lastNumber ?? null);
  set('room.maxActive', settings.maxActive ?? null);
  set('room.powDifficulty', settings.powDifficulty ?? null);
  const opensAt = settings.opensAt ? new Date(settings.opensAt) : null;
  set('room.opensAt', settings.opensAt ?? null, opensAt ? stamp(opensAt) : t('none'));
}

function renderDoses(root, campaign, doses) {
  setFigure(root, 'doses.remaining', campaign?.remainingDoses ?? null);
  setFigure(root, 'doses.total', campaign?.totalDoses ?? null);
  const groups = doses?.groups ?? [];
  rows(
    $('groups'),
    groups,
    (g) => g.code,
    (g) => [
      { text: local(g.name) || g.code, header: true },
      {
        ...fig(`doses.group.${g.code}`, g.remaining),
        className: g.remaining === 0 ? 'num bad' : 'num',
      },
      { ...fig(`doses.groupQuota.${g.code}`, g.quota), className: 'num' },
    ],
  );
  renderDays(doses?.sites ?? []);
  renderChannels(doses?.channels ?? []);
}

/** Sites down, days across: the whole opening at a glance; the table scrolls sideways. */
function renderDays(sites) {
  const days = [...new Set(sites.flatMap((s) => (s.days ?? []).map((d) => d.date)))].sort();
  const head = $('days-head');
  const headKeys = days.join(',');
  if (head.dataset.keys !== headKeys || !head.cells.length) {
    head.replaceChildren(...['', t('remaining'), ...days].map(() => document.createElement('th')));
    for (const th of head.cells) th.scope = 'col';
    head.dataset.keys = headKeys;
  }
  head.cells[0].textContent = t('site');
  head.cells[1].textContent = t('remaining');
  head.cells[1].className = 'num';
  days.forEach((day, i) => {
    head.cells[i + 2].textContent = shortDay(day);
    head.cells[i + 2].className = 'num';
  });
  $('days-region').setAttribute('aria-label', t('daysScroll'));
  rows(
    $('sites'),
    sites,
    (s) => `${s.id}|${headKeys}`,
    (s) => {
      const name = local(s.name) || s.id;
      const byDate = new Map((s.days ?? []).map((d) => [d.date, d]));
      return [
        { text: name, header: true },
        { ...fig(`doses.site.${s.id}`, s.remaining), className: 'num' },
        ...days.map((day) => {
          const d = byDate.get(day);
          if (!d) return { text: '', className: 'num none' };
          const low = d.remaining > 0 && d.capacity > 0 && d.remaining / d.capacity <= 0.1;
          return {
            ...fig(`doses.day.${s.id}.${day}`, d.remaining),
            className: d.remaining === 0 ? 'num none' : low ? 'num low' : 'num',
            title: t('dayCell', name, shortDay(day), number(d.remaining), number(d.capacity)),
          };
        }),
      ];
    },
  );
}

function renderQueue(root, prefix, queue) {
  for (const state of QUEUE_STATES) {
    const value = queue?.[state] ?? null;
    const bad = state === 'failed' && value > 0;
    setFigure(root, `${prefix}.queue.${state}`, value, undefined, bad ? 'bad' : '');
  }
}

function renderBooking(root, booking) {
  renderQueue(root, 'booking', booking?.queue);
  const perSecond = booking?.decisionsPerSecond ?? {};
  const outcomes = Object.keys(perSecond).sort();
  const total = outcomes.length ? outcomes.reduce((sum, o) => sum + (perSecond[o] ?? 0), 0) : null;
  setFigure(root, 'booking.decisionsPerSecond.total', total, rate(total));
  rows(
    $('decisions'),
    outcomes,
    (o) => o,
    (o) => [
      { text: word('outcome', o), header: true },
      { ...fig(`booking.decisionsPerSecond.${o}`, perSecond[o], rate(perSecond[o])), className: 'num' },
    ],
  );
  const age = booking?.outboxAgeSeconds ?? null;
  setFigure(root, 'booking.outboxAgeSeconds', age, duration(age), age > 30 ? 'bad' : '');
}

/** Per consumer group: the messages behind summed over its topics (a group reads one or two). */
function renderKafka(root, kafka) {
  const byGroup = new Map();
  for (const { group, topic, lag } of kafka?.consumerLag ?? []) {
    const entry = byGroup.get(group) ?? { group, topics: [], lag: null };
    entry.topics.push(topic);
    if (isNumber(lag)) entry.lag = (entry.lag ?? 0) + lag;
    byGroup.set(group, entry);
  }
  const groups = [...byGroup.values()].sort((a, b) => a.group.localeCompare(b.group));
  rows(
    $('kafka-lag'),
    groups,
    (g) => g.group,
    (g) => [
      { text: [g.group, ...g.topics].join('\n'), header: true, className: 'consumer' },
      { ...fig(`kafka.lag.${g.group}`, g.lag), className: g.lag > 1000 ? 'num bad' : 'num' },
    ],
  );
  emptyNote($('kafka-lag').closest('table'), $('kafka-none'), groups.length === 0);
}

function renderSms(root, sms) {
  renderQueue(root, 'sms', sms?.queue);
  for (const what of ['sent', 'delivered', 'failed']) {
    const value = sms?.perMinute?.[what] ?? null;
    const bad = what === 'failed' && value > 0;
    setFigure(root, `sms.perMinute.${what}`, value, rate(value), bad ? 'bad' : '');
  }
  const oldest = sms?.oldestUnsentSeconds ?? null;
  setFigure(root, 'sms.oldestUnsentSeconds', oldest, duration(oldest), oldest > 60 ? 'bad' : '');
}

function renderDependencies(dependencies) {
  const list = $('dependencies');
  const items = dependencies ?? [];
  const keys = items.map((d) => d.name).join(',');
  if (list.dataset.keys !== keys) {
    list.replaceChildren(...items.map(() => document.createElement('li')));
    list.dataset.keys = keys;
  }
  items.forEach((d, i) => {
    const li = list.children[i];
    li.className = d.ok ? 'ok' : 'down';
    const name = document.createElement('span');
    name.textContent = word('dep', d.name);
    const state = document.createElement('strong');
    state.dataset.figure = `dependency.${d.name}`;
    state.dataset.value = String(d.ok);
    state.textContent = d.ok ? t('ok') : t('down');
    if (d.detail) {
      const detail = document.createElement('small');
      detail.textContent = d.detail;
      name.append(detail);
    }
    li.replaceChildren(name, state);
  });
}

function renderReplicas(replicas) {
  const items = [...(replicas ?? [])].sort(
    (a, b) => a.service.localeCompare(b.service) || a.instance.localeCompare(b.instance),
  );
  rows(
    $('replicas'),
    items,
    (r) => `${r.service}|${r.instance}`,
    (r) => {
      const id = `replica.${r.service}.${r.instance}`;
      return [
        { text: r.service, header: true },
        { text: r.instance },
        {
          ...fig(`${id}.ready`, r.ready, r.ready ? t('ready') : t('notReady')),
          className: r.ready ? '' : 'bad',
        },
        fig(`${id}.version`, r.version, r.version ?? t('none')),
        { ...fig(`${id}.uptime`, r.uptimeSeconds, duration(r.uptimeSeconds)), className: 'num' },
        {
          ...fig(`${id}.lastSeen`, r.lastSeenSeconds, t('ago', duration(r.lastSeenSeconds))),
          className: r.lastSeenSeconds > 6 ? 'num bad' : 'num',
        },
      ];
    },
  );
  emptyNote($('replicas').closest('table'), $('replicas-none'), items.length === 0);
}

const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);
/** A setting change as the gateway records it: `{before, after}` (or `{from, to}`). */
const changeOf = (value) => {
  if (!isObject(value)) return null;
  if ('before' in value && 'after' in value) return [value.before, value.after];
  if ('from' in value && 'to' in value) return [value.from, value.to];
  return null;
};
const shown = (value) => {
  if (isObject(value)) {
    return Object.entries(value)
      .map(([key, v]) => `${key} ${shown(v)}`)
      .join(', ');
  }
  return Array.isArray(value) ? value.map(shown).join(', ') : String(value);
};

/**
 * `detail` as the gateway recorded it, in one line: a setting change `{changes: {paused:
 * {before, after}}}` reads 'paused: false → true', anything else 'key: value'.
 */
export function detailText(detail) {
  if (detail === null || detail === undefined) return '';
  if (!isObject(detail)) return String(detail);
  const parts = [];
  for (const [key, value] of Object.entries(detail)) {
    const nested = key === 'changes' && isObject(value) ? Object.entries(value) : [[key, value]];
    for (const [field, v] of nested) {
      const change = changeOf(v);
      parts.push(change ? `${field}: ${shown(change[0])} → ${shown(change[1])}` : `${field}: ${shown(v)}`);
    }
  }
  return parts.join('; ');
}

export function renderAudit(entries) {
  const items = entries ?? [];
  rows(
    $('audit'),
    items,
    (e, i) => `${e.at}|${e.operator}|${e.action}|${i}`,
    (e) => [
      { text: stamp(new Date(e.at)), className: 'when' },
      { text: e.operator },
      { text: word('action', e.action), title: e.action },
      { text: detailText(e.detail) },
    ],
  );
  emptyNote($('audit-table'), $('audit-none'), items.length === 0);
}

/** Every panel from one overview answer. */
export function renderOverview(overview) {
  const root = document;
  renderRoom(root, overview.room);
  renderDoses(root, overview.campaign, overview.doses);
  renderBooking(root, overview.booking);
  renderKafka(root, overview.kafka);
  renderSms(root, overview.sms);
  const lag = overview.roster?.lagSeconds ?? null;
  setFigure(root, 'roster.lagSeconds', lag, duration(lag), lag > 30 ? 'bad' : '');
  renderDependencies(overview.dependencies);
  renderReplicas(overview.replicas);
  renderAudit(overview.audit);
}
