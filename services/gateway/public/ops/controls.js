// The console's controls: each form names its effect in a confirmation dialog (from the
// figures on screen), then calls the existing admin route; the gateway writes the audit
// entry with the operator taken from the token. The answer, or the error envelope's
// message, is shown under the controls.
import { $ } from '../shared/dom.js';
import { local } from '../shared/i18n-core.js';
import { effectOf } from './effects.js';
import { number } from './format.js';
import { t } from './i18n.js';

/** What each form asks for: the label of the action, the request, and the effect's input. */
const ACTIONS = {
  openNow: () => ({
    label: t('openNow'),
    method: 'PATCH',
    path: 'waiting-room',
    body: { opensAt: new Date().toISOString() },
  }),
  pause: (form, overview) => {
    const paused = Boolean(overview?.room?.settings?.paused);
    return {
      label: paused ? t('resume') : t('pause'),
      kind: paused ? 'resume' : 'pause',
      method: 'PATCH',
      path: 'waiting-room',
      body: { paused: !paused },
    };
  },
  outflow: (form) => settingPatch(t('outflow'), 'outflowPerMinute', form),
  maxActive: (form) => settingPatch(t('maxActive'), 'maxActive', form),
  pow: (form) => settingPatch(t('powDifficulty'), 'powDifficulty', form),
  soldOut: () => ({ label: t('soldOut'), method: 'POST', path: 'sold-out', body: {} }),
  quota: (form) => {
    const input = {
      from: form.elements.from.value,
      to: form.elements.to.value,
      doses: Number(form.elements.doses.value),
    };
    return { label: t('quotaMove'), method: 'POST', path: 'quota-transfers', body: input, input };
  },
};

function settingPatch(label, field, form) {
  const value = Number(form.elements.value.value);
  return {
    label: `${label} ${number(value)}`,
    method: 'PATCH',
    path: 'waiting-room',
    body: { [field]: value },
    input: { value },
  };
}

/** The value a setting input shows when the operator is not typing in it. */
const SETTING_INPUTS = [
  ['ctl-outflow', 'outflowPerMinute'],
  ['ctl-max-active', 'maxActive'],
  ['ctl-pow', 'powDifficulty'],
];

/** Resolves true when the operator confirms in the dialog. */
function confirmed(title, effect) {
  const dialog = $('confirm');
  $('confirm-title').textContent = t('confirmTitle', title);
  $('confirm-effect').textContent = effect;
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm'), { once: true });
    dialog.returnValue = '';
    dialog.showModal();
  });
}

/** The error envelope's message, with each field's message after it. */
export function problemText(error) {
  const problem = error?.problem;
  const fields = Object.values(problem?.fields ?? {})
    .map(local)
    .filter(Boolean);
  const message = local(problem?.message) || t('error');
  return fields.length ? `${message}: ${fields.join(' · ')}` : message;
}

export class Controls {
  /**
   * `api(path, options)` calls the gateway with the token; `overview()` is the answer on
   * screen; `campaignId()` the chosen campaign; `changed()` asks for fresh figures now.
   */
  constructor({ api, overview, campaignId, changed }) {
    this.api = api;
    this.overview = overview;
    this.campaignId = campaignId;
    this.changed = changed;
    this.busy = false;
    for (const form of document.querySelectorAll('form[data-control]')) {
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        this.run(form);
      });
    }
    for (const [id] of SETTING_INPUTS) {
      $(id).addEventListener('input', () => ($(id).dataset.dirty = '1'));
    }
  }

  async run(form) {
    if (this.busy) return;
    const campaignId = this.campaignId();
    if (!campaignId) return this.show(null, t('chooseFirst'));
    if (!form.reportValidity()) return;
    const kind = form.dataset.control;
    const overview = this.overview();
    const action = ACTIONS[kind](form, overview);
    const effect = effectOf(action.kind ?? kind, overview, action.input);
    if (!(await confirmed(action.label, effect))) return;
    this.busy = true;
    this.show();
    try {
      const answer = await this.api(`/api/admin/campaigns/${encodeURIComponent(campaignId)}/${action.path}`, {
        method: action.method,
        body: action.body,
      });
      const note = answer?.auditRecorded === false ? ` ${t('auditNotRecorded')}` : '';
      this.show(`${t('done', action.label)}${note}`);
      for (const [id] of SETTING_INPUTS) delete $(id).dataset.dirty;
      if (kind === 'quota') form.elements.doses.value = '';
    } catch (error) {
      this.show(null, problemText(error));
    } finally {
      this.busy = false;
      this.changed();
    }
  }

  show(result, error) {
    $('control-result').hidden = !result;
    $('control-result').textContent = result ?? '';
    $('control-error').hidden = !error;
    $('control-error').textContent = error ?? '';
  }

  /** Buttons and inputs follow the figures: pause reads "resume" while paused, and so on. */
  update(overview) {
    const room = overview?.room;
    const settings = room?.settings ?? {};
    const pause = $('ctl-pause');
    pause.textContent = settings.paused ? t('resume') : t('pause');
    pause.dataset.paused = String(Boolean(settings.paused));
    const state = room?.state;
    form('openNow').querySelector('button').disabled = Boolean(state) && state !== 'prequeue';
    const over = state === 'sold_out' || state === 'closed';
    form('soldOut').querySelector('button').disabled = over;
    pause.disabled = over;
    for (const [id, field] of SETTING_INPUTS) {
      const input = $(id);
      if (!input.dataset.dirty && document.activeElement !== input && settings[field] !== undefined) {
        input.value = String(settings[field]);
      }
    }
    this.updateGroups(overview?.doses?.groups ?? []);
  }

  updateGroups(groups) {
    for (const [id, fallback] of [
      ['ctl-from', 0],
      ['ctl-to', 1],
    ]) {
      const select = $(id);
      const keys = groups.map((g) => `${g.code}:${local(g.name)}:${g.remaining}`).join('|');
      if (select.dataset.keys === keys) continue;
      const chosen = select.value || groups[fallback]?.code;
      select.replaceChildren(
        ...groups.map((g) => {
          const option = document.createElement('option');
          option.value = g.code;
          option.textContent = `${local(g.name) || g.code} (${number(g.remaining)})`;
          return option;
        }),
      );
      if (chosen) select.value = chosen;
      select.dataset.keys = keys;
    }
  }

  /** A new campaign: what was typed for the last one is dropped. */
  reset() {
    for (const [id] of SETTING_INPUTS) {
      delete $(id).dataset.dirty;
      $(id).value = '';
    }
    for (const id of ['ctl-from', 'ctl-to']) {
      $(id).replaceChildren();
      delete $(id).dataset.keys;
    }
    this.show();
  }
}

const form = (kind) => document.querySelector(`form[data-control="${kind}"]`);
