import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { csvField, escapeXml, formatNumber, lineChartSvg, niceAxis, toCsv, writeCsv } from './charts';

const count = (text: string, pattern: RegExp) => (text.match(pattern) ?? []).length;

/** Tag balance of the SVG: every opened element closed, in order (what an XML parser checks). */
function unbalancedTags(svg: string): string[] {
  const open: string[] = [];
  const problems: string[] = [];
  for (const [tag, closing, name, selfClosing] of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    if (selfClosing) continue;
    if (!closing) open.push(name!);
    else if (open.pop() !== name) problems.push(tag);
  }
  return [...problems, ...open];
}

const series = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    name: `series ${i}`,
    points: Array.from({ length: 20 }, (_, t) => [t * 5, (i + 1) * 1000 + t * 37] as [number, number]),
  }));

describe('lineChartSvg', () => {
  it('is one well-formed <svg> with a polyline and a legend entry per series', () => {
    const svg = lineChartSvg({
      title: 'Throughput',
      xLabel: 'seconds',
      yLabel: 'requests/s',
      series: series(6),
    });
    expect(count(svg, /<svg[\s>]/g)).toBe(1);
    expect(count(svg, /<\/svg>/g)).toBe(1);
    expect(unbalancedTags(svg)).toEqual([]);
    expect(count(svg, /<polyline class="series"/g)).toBe(6);
    for (let i = 0; i < 6; i++) expect(svg).toContain(`>series ${i}</text>`);
    // Colours and dashes differ between series, so each reads in colour and in greyscale.
    const lines = svg.match(/<polyline class="series"[^>]*>/g) ?? [];
    const attribute = (tag: string, name: string) =>
      new RegExp(` ${name}="([^"]*)"`).exec(tag)?.[1] ?? 'none';
    expect(new Set(lines.map((tag) => attribute(tag, 'stroke'))).size).toBe(6);
    expect(new Set(lines.map((tag) => attribute(tag, 'stroke-dasharray'))).size).toBe(6);
  });

  it('escapes the title, labels and series names', () => {
    const svg = lineChartSvg({
      title: 'A & B <test>',
      xLabel: 'x "quoted"',
      yLabel: "y's",
      series: [{ name: '<script>alert(1)</script> & co', points: [[0, 1]] }],
    });
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; co');
    expect(svg).toContain('A &amp; B &lt;test&gt;');
    expect(svg).toContain('x &quot;quoted&quot;');
    expect(svg).toContain('y&apos;s');
    expect(unbalancedTags(svg)).toEqual([]);
  });

  it('labels ticks with rounded values and thousands separators', () => {
    const svg = lineChartSvg({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        {
          name: 'load',
          points: [
            [0, 0],
            [600, 12_345],
          ],
        },
      ],
    });
    expect(svg).toContain('>12,500</text>');
    expect(svg).toContain('>2,500</text>');
    expect(svg).not.toMatch(/\d\.\d{3,}</);
  });

  it('does not throw on no series, an empty series or non-finite points', () => {
    const empty = lineChartSvg({ title: 'nothing', xLabel: 'x', yLabel: 'y', series: [] });
    expect(empty).toContain('no data');
    expect(unbalancedTags(empty)).toEqual([]);
    const svg = lineChartSvg({
      title: 'some',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        { name: 'empty', points: [] },
        {
          name: 'odd',
          points: [
            [NaN, 1],
            [1, Infinity],
            [2, 5],
          ],
        },
      ],
    });
    expect(count(svg, /<polyline class="series"/g)).toBe(2);
    expect(svg).not.toMatch(/NaN|Infinity/);
  });

  it('refuses more series than it has distinct styles', () => {
    expect(() => lineChartSvg({ title: 't', xLabel: 'x', yLabel: 'y', series: series(7) })).toThrow(
      /at most 6/,
    );
  });
});

describe('niceAxis', () => {
  it.each([
    [0, 1],
    [0, 12_345],
    [0, 13_000],
    [0, 599],
    [0, 0.37],
    [-120, 950],
    [17, 23],
    [3, 3],
    [0, 0],
    [1_000_000, 1_250_000],
  ])('covers %p..%p with 5-7 ticks at a round step', (min, max) => {
    const axis = niceAxis(min, max);
    expect(axis.ticks.length).toBeGreaterThanOrEqual(5);
    expect(axis.ticks.length).toBeLessThanOrEqual(7);
    expect(axis.min).toBeLessThanOrEqual(Math.min(min, max));
    expect(axis.max).toBeGreaterThanOrEqual(Math.max(min, max));
    const mantissa = axis.step / 10 ** Math.floor(Math.log10(axis.step));
    expect([1, 2, 2.5, 5]).toContainEqual(Number(mantissa.toFixed(6)));
    for (const tick of axis.ticks) expect(tick).toBe(Number(tick.toFixed(axis.decimals)));
  });
});

describe('formatNumber and escapeXml', () => {
  it('groups thousands and keeps the sign', () => {
    expect(formatNumber(12_000)).toBe('12,000');
    expect(formatNumber(1_234_567.25, 1)).toBe('1,234,567.3');
    expect(formatNumber(-2500)).toBe('-2,500');
    expect(formatNumber(-0.0001, 1)).toBe('0.0');
    expect(formatNumber(999)).toBe('999');
  });

  it('escapes the five XML characters', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
  });
});

describe('CSV', () => {
  it('quotes fields with commas, quotes or line breaks, and leaves others alone', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(12.5)).toBe('12.5');
    expect(csvField(NaN)).toBe('');
    expect(
      toCsv(
        ['t', 'rps'],
        [
          [0, 10],
          [1, 'x,y'],
        ],
      ),
    ).toBe('t,rps\n0,10\n1,"x,y"\n');
  });

  it('writes the file, creating its directory', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'khiw-charts-'));
    try {
      const file = path.join(dir, 'nested', 'figures.csv');
      writeCsv(file, ['name', 'value'], [['a "b", c', 1_000]]);
      expect(readFileSync(file, 'utf8')).toBe('name,value\n"a ""b"", c",1000\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
