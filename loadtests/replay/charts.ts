import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Line charts (self-contained SVG) and CSV files for the replay's report. No dependency: the
 * report must open from disk in any browser, and a chart library is a lot to install for a
 * few lines and axes.
 */
export interface ChartSeries {
  name: string;
  /** [x, y]; drawn in x order; points that are not finite numbers are skipped. */
  points: Array<[number, number]>;
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
  width?: number;
  height?: number;
}

/** Okabe-Ito colours (distinct for colour-blind readers) and dashes (distinct in greyscale). */
export const SERIES_STYLES: ReadonlyArray<{ colour: string; dash: string }> = [
  { colour: '#0072B2', dash: '' },
  { colour: '#D55E00', dash: '10 5' },
  { colour: '#009E73', dash: '2 4' },
  { colour: '#CC79A7', dash: '12 4 2 4' },
  { colour: '#E69F00', dash: '6 3 2 3 2 3' },
  { colour: '#000000', dash: '4 4' },
];

const FONT = 'font-family="DejaVu Sans, Arial, Helvetica, sans-serif"';
const CHAR_WIDTH = 7; // average width of a 12 px sans-serif character, for the layout only
const LEGEND_LINE = 34;

export interface Axis {
  min: number;
  max: number;
  step: number;
  ticks: number[];
  decimals: number;
}

/**
 * Rounded ticks (steps of 1, 2, 2.5 or 5 times a power of ten) covering [min, max]: the
 * smallest such step that needs at most six ticks; when that leaves fewer than five (0 to
 * 13,000 in steps of 5,000), the step below if it needs at most seven (steps of 2,500).
 */
export function niceAxis(min: number, max: number): Axis {
  let lo = Number.isFinite(min) ? min : 0;
  let hi = Number.isFinite(max) ? max : 1;
  if (lo > hi) [lo, hi] = [hi, lo];
  if (lo === hi) {
    // One value (or one point): a range around it, so it sits inside the plot.
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.5;
    lo -= lo === 0 ? 0 : pad;
    hi += pad;
  }
  const candidate = (factor: number, exponent: number) => {
    const step = factor * 10 ** exponent;
    const first = Math.floor(lo / step + 1e-9);
    const last = Math.ceil(hi / step - 1e-9);
    // 2.5 needs one decimal more than its power of ten.
    const decimals = Math.max(0, -exponent + (factor === 2.5 ? 1 : 0));
    return { step, first, count: last - first + 1, decimals };
  };
  let previous: ReturnType<typeof candidate> | undefined;
  for (let exponent = Math.floor(Math.log10((hi - lo) / 10)); ; exponent++) {
    for (const factor of [1, 2, 2.5, 5]) {
      const current = candidate(factor, exponent);
      if (current.count <= 6) {
        const chosen = current.count < 5 && previous && previous.count <= 7 ? previous : current;
        const ticks = Array.from({ length: chosen.count }, (_, i) =>
          round((chosen.first + i) * chosen.step, chosen.decimals),
        );
        return {
          min: ticks[0]!,
          max: ticks[ticks.length - 1]!,
          step: chosen.step,
          ticks,
          decimals: chosen.decimals,
        };
      }
      previous = current;
    }
  }
}

function round(value: number, decimals: number): number {
  const rounded = Number(value.toFixed(decimals));
  return Object.is(rounded, -0) ? 0 : rounded;
}

/** 12000 -> "12,000"; 1234.5 with 1 decimal -> "1,234.5". Fixed format, whatever the locale. */
export function formatNumber(value: number, decimals = 0): string {
  if (!Number.isFinite(value)) return String(value);
  const [whole, fraction] = Math.abs(value).toFixed(decimals).split('.');
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const sign = value < 0 && Number(whole) + Number(fraction ?? 0) !== 0 ? '-' : '';
  return `${sign}${grouped}${fraction ? `.${fraction}` : ''}`;
}

/** Text for SVG (or any XML) content and attribute values. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export function lineChartSvg(options: LineChartOptions): string {
  const { title, xLabel, yLabel, series } = options;
  if (series.length > SERIES_STYLES.length) {
    throw new RangeError(
      `lineChartSvg: at most ${SERIES_STYLES.length} series (styles), got ${series.length}`,
    );
  }
  const width = options.width ?? 800;
  const height = options.height ?? 450;
  const clean = series.map((s) => ({
    name: s.name,
    points: s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)).sort((a, b) => a[0] - b[0]),
  }));
  const all = clean.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const xAxis = niceAxis(all.length ? Math.min(...xs) : 0, all.length ? Math.max(...xs) : 1);
  // Counts and latencies read against zero; a y axis starting elsewhere exaggerates changes.
  const yLow = all.length ? Math.min(0, ...ys) : 0;
  const yAxis = niceAxis(yLow, all.length ? Math.max(...ys) : 1);

  const yTickLabels = yAxis.ticks.map((t) => formatNumber(t, yAxis.decimals));
  const longestTick = Math.max(...yTickLabels.map((l) => l.length));
  const longestName = Math.max(0, ...clean.map((s) => s.name.length));
  const legendWidth = clean.length ? Math.min(260, LEGEND_LINE + 16 + longestName * CHAR_WIDTH) : 0;
  const left = 34 + longestTick * CHAR_WIDTH + 10;
  const right = 20 + legendWidth;
  const top = 44;
  const bottom = 58;
  const plotW = Math.max(10, width - left - right);
  const plotH = Math.max(10, height - top - bottom);
  const px = (x: number) => left + ((x - xAxis.min) / (xAxis.max - xAxis.min)) * plotW;
  const py = (y: number) => top + plotH - ((y - yAxis.min) / (yAxis.max - yAxis.min)) * plotH;
  const f = (n: number) => n.toFixed(1);

  const out: string[] = [];
  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12">`,
  );
  out.push(`<title>${escapeXml(title)}</title>`);
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(
    `<text x="${f(left + plotW / 2)}" y="26" text-anchor="middle" font-size="16" font-weight="bold">${escapeXml(title)}</text>`,
  );

  // Grid and y ticks.
  yAxis.ticks.forEach((tick, i) => {
    const y = f(py(tick));
    out.push(`<line x1="${f(left)}" y1="${y}" x2="${f(left + plotW)}" y2="${y}" stroke="#e0e0e0"/>`);
    out.push(
      `<text x="${f(left - 6)}" y="${y}" text-anchor="end" dominant-baseline="middle">${yTickLabels[i]}</text>`,
    );
  });
  xAxis.ticks.forEach((tick) => {
    const x = f(px(tick));
    out.push(
      `<line x1="${x}" y1="${f(top + plotH)}" x2="${x}" y2="${f(top + plotH + 5)}" stroke="#333333"/>`,
    );
    out.push(
      `<text x="${x}" y="${f(top + plotH + 19)}" text-anchor="middle">${formatNumber(tick, xAxis.decimals)}</text>`,
    );
  });
  out.push(
    `<polyline points="${f(left)},${f(top)} ${f(left)},${f(top + plotH)} ${f(left + plotW)},${f(top + plotH)}" fill="none" stroke="#333333"/>`,
  );
  out.push(
    `<text x="${f(left + plotW / 2)}" y="${f(height - 12)}" text-anchor="middle" font-size="13">${escapeXml(xLabel)}</text>`,
  );
  const yLabelX = 16;
  const yLabelY = f(top + plotH / 2);
  out.push(
    `<text x="${yLabelX}" y="${yLabelY}" text-anchor="middle" font-size="13" transform="rotate(-90 ${yLabelX} ${yLabelY})">${escapeXml(yLabel)}</text>`,
  );
  if (all.length === 0) {
    out.push(
      `<text x="${f(left + plotW / 2)}" y="${f(top + plotH / 2)}" text-anchor="middle" fill="#777777">no data</text>`,
    );
  }

  // Series, then the legend (to the right of the plot, so it never hides a line).
  clean.forEach((s, i) => {
    const style = SERIES_STYLES[i]!;
    const dash = style.dash ? ` stroke-dasharray="${style.dash}"` : '';
    const points = s.points.map(([x, y]) => `${f(px(x))},${f(py(y))}`).join(' ');
    out.push(
      `<polyline class="series" data-series="${escapeXml(s.name)}" points="${points}" fill="none" stroke="${style.colour}" stroke-width="2"${dash} stroke-linejoin="round"/>`,
    );
    // A lone point draws no line; a dot shows it is there.
    if (s.points.length === 1) {
      const [x, y] = s.points[0]!;
      out.push(`<circle cx="${f(px(x))}" cy="${f(py(y))}" r="3" fill="${style.colour}"/>`);
    }
  });
  clean.forEach((s, i) => {
    const style = SERIES_STYLES[i]!;
    const dash = style.dash ? ` stroke-dasharray="${style.dash}"` : '';
    const x = left + plotW + 16;
    const y = top + 8 + i * 22;
    out.push(
      `<line x1="${f(x)}" y1="${f(y)}" x2="${f(x + LEGEND_LINE - 6)}" y2="${f(y)}" stroke="${style.colour}" stroke-width="2"${dash}/>`,
    );
    out.push(
      `<text x="${f(x + LEGEND_LINE)}" y="${f(y)}" dominant-baseline="middle">${escapeXml(s.name)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** One CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180). */
export function csvField(value: number | string): string {
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: string[], rows: Array<Array<number | string>>): string {
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\n') + '\n';
}

/** Writes `header` and `rows` as CSV to `file`, creating its directory. */
export function writeCsv(file: string, header: string[], rows: Array<Array<number | string>>): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, toCsv(header, rows));
}
