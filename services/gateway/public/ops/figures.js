// Every figure on the console is an element with `data-figure="<name>"` (its text is for
// people) and `data-value` (the raw figure: a number, true/false, a word, or '' for "no
// figure"), so a test or a screen reader script reads the same thing the operator sees.
import { number } from './format.js';

const raw = (value) => (value === null || value === undefined ? '' : String(value));

/** A figure cell for `rows()` or `setFigure()`: `text` defaults to the number written out. */
export const fig = (figure, value, text) => ({ figure, value, text: text ?? number(value) });

function paint(el, cell) {
  el.textContent = cell.text ?? '';
  if (cell.figure) {
    el.dataset.figure = cell.figure;
    el.dataset.value = raw(cell.value);
  }
  if (cell.className !== undefined) el.className = cell.className;
  if (cell.label) el.setAttribute('aria-label', cell.label);
  if (cell.title) el.title = cell.title;
}

/** Sets every `[data-figure=name]` under `root` (fixed figures written in the HTML). */
export function setFigure(root, name, value, text, className) {
  for (const el of root.querySelectorAll(`[data-figure="${CSS.escape(name)}"]`)) {
    paint(el, { ...fig(name, value, text), className });
  }
}

/**
 * Table rows keyed by `key(item)`: built again only when the keys change, otherwise only their
 * text changes, so a poll every second neither flickers nor loses the operator's selection.
 * `cells(item)` gives `{text, figure?, value?, className?, header?}` per column.
 */
export function rows(tbody, items, key, cells) {
  const keys = items.map(key).join('\u0000');
  if (tbody.dataset.keys !== keys || tbody.rows.length !== items.length) {
    tbody.replaceChildren(
      ...items.map((item) => {
        const tr = document.createElement('tr');
        tr.dataset.key = key(item);
        for (const cell of cells(item)) {
          const el = document.createElement(cell.header ? 'th' : 'td');
          if (cell.header) el.scope = 'row';
          tr.append(el);
        }
        return tr;
      }),
    );
    tbody.dataset.keys = keys;
  }
  items.forEach((item, i) => {
    const tr = tbody.rows[i];
    cells(item).forEach((cell, j) => paint(tr.cells[j], cell));
  });
}

/** A `<p>` saying there is nothing to list, shown instead of an empty table. */
export function emptyNote(table, note, empty) {
  table.hidden = empty;
  note.hidden = !empty;
}
