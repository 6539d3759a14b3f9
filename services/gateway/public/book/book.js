// The booking form, after the waiting room let a resident in (API: DESIGN.md section 4): a
// module per step, wired here; a reload starts where the tab's session left off.
import { $ } from '../shared/dom.js';
import { loadCampaign } from '../shared/http.js';
import { lang, languageSwitch } from '../shared/i18n-core.js';
import { formStep, goChoose, reloadChosenSlots, slotsRefreshed, wireChoose } from './choose-step.js';
import {
  currentView,
  dosesGone,
  form,
  FORM_VIEWS,
  render,
  renderAccessNote,
  restore,
  session,
  showConnection,
  showError,
  showView,
} from './form.js';
import { t } from './i18n.js';
import { wireOutcome } from './outcome-step.js';
import { fillPerson, wirePerson } from './person-step.js';
import { watchSlots } from './site-slots.js';
import { poll, wireSubmit } from './submit-step.js';

/** The site whose slots the form shows, while it shows them (not in a hidden tab). */
const watchedSite = () =>
  !document.hidden && !form.standby && FORM_VIEWS.includes(currentView()) ? session.choice.siteId : null;

function wire() {
  languageSwitch($('lang'), t, render);
  wireChoose();
  wirePerson();
  wireSubmit();
  wireOutcome();
  for (const button of document.querySelectorAll('[data-back]')) {
    button.addEventListener('click', () => {
      showView(button.dataset.back);
      (button.dataset.back === 'choose' ? $('site') : $('firstName')).focus();
    });
  }
  // A token that runs out while the form is open: the note goes (the gateway says 401).
  setInterval(renderAccessNote, 30_000);
}

async function main() {
  await t.load(lang).catch(() => undefined); // Thai words stand in
  wire();
  const { campaignId } = form;
  if (!campaignId) return showError(t('noCampaign'));
  restore();
  const queueUrl = `/queue/?campaign=${encodeURIComponent(campaignId)}`;
  for (const link of document.querySelectorAll('.queue-link')) link.href = queueUrl;
  $('lookup-link').href = `/lookup/?campaign=${encodeURIComponent(campaignId)}`;
  fillPerson();
  form.campaign = await loadCampaign(campaignId, showConnection);
  if (!form.campaign) return showError(t('noCampaign'));
  const standbyLink = form.standby;
  form.standby ||= dosesGone(form.campaign);
  watchSlots(campaignId, watchedSite, slotsRefreshed);
  if (session.pending) {
    showView('pending');
    return poll();
  }
  // Back from the queue's standby offer (?standby=1): what was entered is kept; only a confirm is left.
  const last = session.results.find((r) => r.requestId === session.last);
  if (standbyLink && last?.status === 'rejected') session.last = null;
  if (session.last) return showView('outcome');
  goChoose(standbyLink ? formStep() : 'choose');
  if (FORM_VIEWS.includes(currentView())) reloadChosenSlots();
}

void main();
