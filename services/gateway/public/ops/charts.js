// The last 30 minutes of the main series (`GET /api/admin/ops/history`) as sparklines drawn
// here in inline SVG: no charting library, nothing fetched from elsewhere.
import { $ } from '../shared/dom.js';
import { isNumber, rate } from './format.js';
import { t } from './i18n.js';

const SVG = 'http://www.w3.org/2000/svg';
export const SERIES = [
  'waiting',
  'active',
  'admittedPerMinute',
  'bookingQueueWaiting',
  'decisionsPerSecond',
  'smsSentPerMinute',
  'consumerLagMax',
];
const WINDOW_MS = 30 * 60_000;
const W = 300;
const H = 60;

let history = null;

function svgElement(name, attributes = {}) {
  const el = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) el.setAttribute(key, value);
  return el;
}

/** One `<figure>` per series, built once; drawing only replaces the path data. */
function chartFor(series) {
  const id = `chart-${series}`;
  let figure = document.getElementById(id);
  if (figure) return figure;
  figure = document.createElement('figure');
  figure.className = 'chart';
  figure.id = id;
  figure.dataset.series = series;
  const caption = document.createElement('figcaption');
  const name = document.createElement('span');
  const now = document.createElement('strong');
  now.dataset.figure = `history.${series}`;
  caption.append(name, now);
  const svg = svgElement('svg', { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img' });
  svg.append(
    svgElement('title'),
    svgElement('path', { class: 'area' }),
    svgElement('path', { class: 'line' }),
  );
  figure.append(caption, svg);
  $('charts').append(figure);
  return figure;
}

/**
 * The path of `points` in a box scaled to [0, max]: a missing figure (null) breaks the line
 * rather than drawing a fall to zero that never happened.
 */
export function sparkPath(points, from, to, max) {
  const x = (time) => (((time - from) / (to - from)) * W).toFixed(1);
  const y = (value) => (H - 2 - (value / (max || 1)) * (H - 4)).toFixed(1);
  let line = '';
  let area = '';
  let run = [];
  const close = () => {
    if (run.length) {
      area += `M${run[0][0]},${H}L${run.map(([px, py]) => `${px},${py}`).join('L')}L${run.at(-1)[0]},${H}Z`;
    }
    run = [];
  };
  for (const { time, value } of points) {
    if (!isNumber(value)) {
      close();
      continue;
    }
    const point = [x(time), y(value)];
    line += `${run.length ? 'L' : 'M'}${point[0]},${point[1]}`;
    run.push(point);
  }
  close();
  return { line, area };
}

function draw(series) {
  const figure = chartFor(series);
  const [name, now] = figure.querySelector('figcaption').children;
  const label = t(`series.${series}`);
  name.textContent = label;
  const points = (history?.points ?? [])
    .map((p) => ({ time: Date.parse(p.t), value: p[series] }))
    .filter((p) => Number.isFinite(p.time));
  const to = points.length ? points.at(-1).time : Date.now();
  // The server's window when it names one (30 minutes), else 30 minutes back from the last point.
  const given = Date.parse(history?.from ?? '');
  const from = Number.isFinite(given) && given < to ? given : to - WINDOW_MS;
  const shown = points.filter((p) => p.time >= from);
  const values = shown.map((p) => p.value).filter(isNumber);
  const latest = shown.length ? shown.at(-1).value : null;
  const max = values.length ? Math.max(...values) : 0;
  now.textContent = rate(latest);
  now.dataset.value = isNumber(latest) ? String(latest) : '';
  const { line, area } = sparkPath(shown, from, to, max);
  const svg = figure.querySelector('svg');
  svg.querySelector('.line').setAttribute('d', line);
  svg.querySelector('.area').setAttribute('d', area);
  const description = values.length
    ? t('chartLabel', label, rate(latest), rate(max))
    : `${label}: ${t('noHistory')}`;
  svg.setAttribute('aria-label', description);
  svg.querySelector('title').textContent = description;
  figure.dataset.points = String(shown.length);
}

/** Keeps the last answer so a language switch redraws without asking again. */
export function renderHistory(answer) {
  if (answer !== undefined) history = answer;
  for (const series of SERIES) draw(series);
}

export function clearHistory() {
  history = null;
  renderHistory();
}
