// The DOM helpers every page uses.

export const $ = (id) => document.getElementById(id);

/** Only the `data-view` section `view-<name>` shows. */
export function switchView(name) {
  document.body.dataset.state = name;
  for (const el of document.querySelectorAll('[data-view]')) el.hidden = el.id !== `view-${name}`;
}

export function facts(pairs) {
  const dl = document.createElement('dl');
  dl.className = 'summary';
  for (const [label, value] of pairs) {
    const row = document.createElement('div');
    const dt = document.createElement('dt');
    const dd = document.createElement('dd');
    dt.textContent = label;
    dd.textContent = value;
    row.append(dt, dd);
    dl.append(row);
  }
  return dl;
}
