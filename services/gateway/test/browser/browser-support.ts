import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT } from '../../../../infra/local/services';

/** Debian's chromium, headless, with nothing reaching out to the network by itself. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-gpu',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/** `env` replaces chromium's environment (e.g. a FONTCONFIG_FILE that hides some fonts). */
export function launchChromium(env?: Record<string, string>): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, env });
}

/**
 * A fontconfig set-up with the Thai and Latin fonts only: chromium started with it as its
 * FONTCONFIG_FILE has no font for Myanmar script at all, as on a machine without
 * fonts-noto-core. (Naming a font without Myanmar in the CSS is no such test: chromium falls
 * back to any installed font that has the letters.)
 */
export function fontsWithoutMyanmar(): { env: Record<string, string>; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'khiw-fonts-'));
  const file = path.join(dir, 'fonts.conf');
  writeFileSync(
    file,
    `<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>
<dir>/usr/share/fonts/truetype/tlwg</dir><dir>/usr/share/fonts/truetype/dejavu</dir>
<cachedir>${dir}/cache</cachedir></fontconfig>`,
  );
  return {
    env: { ...(process.env as Record<string, string>), FONTCONFIG_FILE: file },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface GlyphReport {
  /** Visible text nodes with Myanmar letters that were looked at. */
  checked: number;
  /** Each letter drawn as the "no glyph" box, with the text it is in and that text's fonts. */
  missing: { letter: string; text: string; fontFamily: string }[];
}

/**
 * Which Myanmar letters (U+1000-U+109F) of the page's visible text no font draws. Each letter
 * is drawn on a canvas in its element's own font stack (so with chromium's fallback, as the
 * page draws it) and compared, pixel for pixel, with an unassigned code point (U+0378), which
 * every font draws as its .notdef box: the same pixels mean the letter would show as a box.
 */
export function missingMyanmarGlyphs(page: Page): Promise<GlyphReport> {
  return page.evaluate(async () => {
    await document.fonts.ready;
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 64;
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    const draw = (font: string, text: string) => {
      ctx.clearRect(0, 0, 64, 64);
      ctx.font = font;
      ctx.textBaseline = 'middle';
      ctx.fillText(text, 16, 32);
      return ctx.getImageData(0, 0, 64, 64).data.join();
    };
    const boxes = new Map<string, boolean>();
    const report: GlyphReport = { checked: 0, missing: [] };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent ?? '';
      const el = node.parentElement;
      if (!el || !/[\u1000-\u109F]/.test(text) || el.getClientRects().length === 0) continue;
      const style = getComputedStyle(el);
      if (style.visibility !== 'visible') continue;
      report.checked++;
      const font = `32px ${style.fontFamily}`;
      for (const letter of new Set(text.match(/[\u1000-\u109F]/g))) {
        const key = `${font}|${letter}`;
        if (!boxes.has(key)) boxes.set(key, draw(font, letter) === draw(font, '\u0378'));
        if (boxes.get(key)) report.missing.push({ letter, text: text.trim(), fontFamily: style.fontFamily });
      }
    }
    return report;
  });
}

/** Where browser tests leave their screenshots (not committed). */
export const SCREENSHOTS = path.join(REPO_ROOT, 'test-results');
