// The booking form, after the waiting room let a resident in (API: DESIGN.md section 4): a
// module per step, wired here; a reload starts where the tab's session left off.
import { $ } from '../shared/dom.js';
import { loadCampaign } from '../shared/http.js';
import { lang, languageButton } from '../shared/i18n-core.js';
import { goChoose, reloadChosenSlots, wireChoose } from './choose-step.js';
import {
  currentView,
  form,
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
import { poll, wireSubmit } from './submit-step.js';

function wire() {
  languageButton($('lang'), t, render);
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
  form.standby ||= form.campaign.state === 'sold_out' || form.campaign.remainingDoses === 0;
  if (session.pending) {
    showView('pending');
    return poll();
  }
  if (session.last) return showView('outcome');
  goChoose();
  if (currentView() === 'choose') reloadChosenSlots();
}

void main();
