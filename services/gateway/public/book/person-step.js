// Step 2: the person to vaccinate, checked as they type.
import { $ } from '../shared/dom.js';
import { formatWhen, lang, local } from '../shared/i18n-core.js';
import {
  citizenIdState,
  digitsOf,
  groupCitizenId,
  thaiMobile,
  validBirthDate,
} from '../shared/resident-input.js';
import {
  clearError,
  clearErrors,
  drawView,
  form,
  PERSON_FIELDS,
  provinceCode,
  save,
  session,
  showErrors,
  showView,
  siteOf,
} from './form.js';
import { t } from './i18n.js';

/** Thai province names by their 2-digit code (TIS 1099), for the house-registration declaration. */
const PROVINCES =
  '10กรุงเทพมหานคร,11สมุทรปราการ,12นนทบุรี,13ปทุมธานี,14พระนครศรีอยุธยา,' +
  '15อ่างทอง,16ลพบุรี,17สิงห์บุรี,18ชัยนาท,19สระบุรี,20ชลบุรี,21ระยอง,' +
  '22จันทบุรี,23ตราด,24ฉะเชิงเทรา,25ปราจีนบุรี,26นครนายก,27สระแก้ว,' +
  '30นครราชสีมา,31บุรีรัมย์,32สุรินทร์,33ศรีสะเกษ,34อุบลราชธานี,35ยโสธร,' +
  '36ชัยภูมิ,37อำนาจเจริญ,38บึงกาฬ,39หนองบัวลำภู,40ขอนแก่น,41อุดรธานี,' +
  '42เลย,43หนองคาย,44มหาสารคาม,45ร้อยเอ็ด,46กาฬสินธุ์,47สกลนคร,48นครพนม,' +
  '49มุกดาหาร,50เชียงใหม่,51ลำพูน,52ลำปาง,53อุตรดิตถ์,54แพร่,55น่าน,' +
  '56พะเยา,57เชียงราย,58แม่ฮ่องสอน,60นครสวรรค์,61อุทัยธานี,62กำแพงเพชร,' +
  '63ตาก,64สุโขทัย,65พิษณุโลก,66พิจิตร,67เพชรบูรณ์,70ราชบุรี,71กาญจนบุรี,' +
  '72สุพรรณบุรี,73นครปฐม,74สมุทรสาคร,75สมุทรสงคราม,76เพชรบุรี,' +
  '77ประจวบคีรีขันธ์,80นครศรีธรรมราช,81กระบี่,82พังงา,83ภูเก็ต,' +
  '84สุราษฎร์ธานี,85ระนอง,86ชุมพร,90สงขลา,91สตูล,92ตรัง,93พัทลุง,' +
  '94ปัตตานี,95ยะลา,96นราธิวาส';

function provinceName(code) {
  return new RegExp(`(?:^|,)${code}([^,]+)`).exec(PROVINCES)?.[1] ?? null;
}

function renderPerson() {
  const code = provinceCode();
  $('province-row').hidden = !code;
  // Thai from our table, English as the campaign file spells it; without either, no name.
  const thai = code && provinceName(code);
  const english = form.campaign?.eligibility?.provinceOfResidence;
  const name = lang === 'th' ? thai : /^[\x20-\x7e]+$/.test(english ?? '') ? english : null;
  $('province-label').textContent = name ? t('province', name) : t('provinceThis');
  const slot = session.choice;
  $('person-summary').textContent = slot.startsAt
    ? `${local(siteOf(slot.siteId)?.name)} · ${formatWhen(new Date(slot.startsAt))}`
    : '';
  $('birthDate').max = new Date(Date.now() - new Date().getTimezoneOffset() * 60_000)
    .toISOString()
    .slice(0, 10);
  renderCitizenHint();
}

function renderCitizenHint() {
  const hint = $('citizenId-hint');
  const value = $('citizenId').value;
  const { state, missing } = citizenIdState(value);
  hint.classList.toggle('ok', state === 'ok');
  hint.textContent = !digitsOf(value)
    ? ''
    : state === 'short'
      ? t('idMore', missing)
      : state === 'ok'
        ? `✓ ${t('idOk')}`
        : t(state === 'bad' ? 'idBad' : 'errCitizenId');
}

function readPerson() {
  for (const name of PERSON_FIELDS) session.person[name] = $(name).value;
  session.person.provinceOk = $('provinceOk').checked;
  save();
}

export function fillPerson() {
  for (const name of PERSON_FIELDS) $(name).value = session.person[name] ?? '';
  $('provinceOk').checked = Boolean(session.person.provinceOk);
}

function personErrors(p) {
  const next = {};
  if (!p.firstName?.trim()) next.firstName = 'required';
  if (!p.lastName?.trim()) next.lastName = 'required';
  const id = citizenIdState(p.citizenId ?? '');
  if (id.state !== 'ok') next.citizenId = id.state === 'bad' ? 'idBad' : 'errCitizenId';
  if (!validBirthDate(p.birthDate)) next.birthDate = 'errBirth';
  if (!thaiMobile(p.phone ?? '')) next.phone = 'errPhone';
  if (provinceCode() && !p.provinceOk) next.provinceCode = 'errProvince';
  return next;
}

/** The person's details went through this step and still hold: another time or standby needs only a confirm. */
export const personReady = () =>
  Boolean(session.person.checked) && Object.keys(personErrors(session.person)).length === 0;

function submitPerson(event) {
  event.preventDefault();
  readPerson();
  const next = personErrors(session.person);
  if (Object.keys(next).length) return showErrors(next);
  session.person.checked = true;
  save();
  clearErrors();
  $('confirm-error').hidden = true;
  showView('confirm');
  $('confirm-title').setAttribute('tabindex', '-1');
  $('confirm-title').focus();
}

export function wirePerson() {
  drawView('person', renderPerson);
  $('view-person').addEventListener('submit', submitPerson);
  for (const name of PERSON_FIELDS) {
    $(name).addEventListener('input', () => {
      readPerson();
      clearError(name);
      if (name === 'citizenId') renderCitizenHint();
    });
  }
  $('citizenId').addEventListener('blur', () => {
    const digits = digitsOf($('citizenId').value);
    if (digits.length === 13) $('citizenId').value = groupCitizenId(digits);
  });
  $('provinceOk').addEventListener('change', () => {
    readPerson();
    clearError('provinceCode');
  });
}
