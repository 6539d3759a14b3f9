// Site staff: the day's roster per time slot, search, check-in, CSV export. The staff token
// (minted by ops, scoped to one site) stays in this tab only (sessionStorage); it may arrive
// in the address as #token=..., which is removed from the address bar at once.
const STRINGS = {
  th: {
    staffArea: 'เจ้าหน้าที่',
    title: 'รายชื่อผู้มารับวัคซีน',
    token: 'รหัสผ่านเจ้าหน้าที่ (โทเคน)',
    signIn: 'เข้าสู่ระบบ',
    campaign: 'แคมเปญ',
    site: 'สถานที่ฉีด',
    date: 'วันที่',
    show: 'แสดงรายชื่อ',
    export: 'ส่งออก CSV',
    search: 'ค้นหาชื่อหรือรหัสการจอง',
    find: 'ค้นหา',
    name: 'ชื่อ-นามสกุล',
    reference: 'รหัสการจอง',
    citizenId: 'เลขบัตร',
    birthDate: 'วันเกิด',
    group: 'กลุ่ม',
    status: 'สถานะ',
    action: '',
    checkIn: 'เช็คอิน',
    checkedIn: (t) => `มาแล้ว ${t}`,
    cancelled: 'ยกเลิก',
    booked: 'รอมา',
    slot: (time, n, c) => `รอบ ${time} น. · จอง ${n} คน · มาแล้ว ${c} คน`,
    totals: (n, c, x) => `ทั้งวัน: จอง ${n} คน · มาแล้ว ${c} คน · ยกเลิก ${x} คน`,
    empty: 'ไม่มีรายชื่อในวันนี้',
    noMatch: 'ไม่พบรายชื่อที่ค้นหา',
    matches: (n) => `ผลการค้นหา ${n} รายการ`,
    announceCheckIn: (name) => `เช็คอิน ${name} แล้ว`,
    badToken: 'โทเคนไม่ถูกต้องหรือหมดอายุ',
    error: 'เกิดข้อผิดพลาด กรุณาลองใหม่',
    on: (d) => `วันที่ ${d}`,
    switchTo: 'English',
  },
  en: {
    staffArea: 'Staff',
    title: 'Vaccination roster',
    token: 'Staff token',
    signIn: 'Sign in',
    campaign: 'Campaign',
    site: 'Site',
    date: 'Date',
    show: 'Show list',
    export: 'Export CSV',
    search: 'Search by name or booking reference',
    find: 'Search',
    name: 'Name',
    reference: 'Reference',
    citizenId: 'Citizen ID',
    birthDate: 'Born',
    group: 'Group',
    status: 'Status',
    action: '',
    checkIn: 'Check in',
    checkedIn: (t) => `Came ${t}`,
    cancelled: 'Cancelled',
    booked: 'Expected',
    slot: (time, n, c) => `${time} · ${n} booked · ${c} came`,
    totals: (n, c, x) => `Whole day: ${n} booked · ${c} came · ${x} cancelled`,
    empty: 'Nobody is booked on this day',
    noMatch: 'Nobody matches',
    matches: (n) => `${n} found`,
    announceCheckIn: (name) => `${name} checked in`,
    badToken: 'The token is not valid or has expired',
    error: 'Something went wrong; please try again',
    on: (d) => `On ${d}`,
    switchTo: 'ภาษาไทย',
  },
};
let lang = localStorage.getItem('khiw.lang') === 'en' ? 'en' : 'th';
const tt = (key, ...args) => {
  const v = STRINGS[lang][key] ?? STRINGS.th[key];
  return typeof v === 'function' ? v(...args) : v;
};
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
let me = null;
let view = null; // { kind: 'day', data } | { kind: 'search', data }

const bangkokToday = () => new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
const bangkokTime = (iso) => new Date(Date.parse(iso) + 7 * 3600_000).toISOString().slice(11, 16);
const bangkokDate = (iso) => new Date(Date.parse(iso) + 7 * 3600_000).toISOString().slice(0, 10);

function token() {
  return sessionStorage.getItem('khiw.staffToken') ?? '';
}

async function api(path, { method = 'GET', body, raw = false } = {}) {
  const response = await fetch(path, {
    method,
    headers: {
      authorization: `Bearer ${token()}`,
      ...(body && { 'content-type': 'application/json' }),
    },
    body: body && JSON.stringify(body),
  });
  if (!response.ok) {
    const problem = await response.json().catch(() => null);
    const error = new Error(problem?.error?.message?.[lang] ?? tt('error'));
    error.status = response.status;
    throw error;
  }
  return raw ? response : response.json();
}

function apply() {
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll('[data-l]')) el.textContent = tt(el.dataset.l);
  $('lang').textContent = tt('switchTo');
  $('lang').lang = lang === 'th' ? 'en' : 'th';
  if (me) $('who').textContent = `${me.subject}${me.site ? ` · ${me.site}` : ''}`;
  render();
}

function scopeQuery() {
  return me?.role === 'ops' ? `&site=${encodeURIComponent($('site').value.trim())}` : '';
}
const campaignPath = () => `/api/staff/campaigns/${encodeURIComponent($('campaign').value.trim())}`;

function showError(error) {
  $('error').hidden = false;
  $('error').textContent = error.message || tt('error');
}

async function load(event) {
  event?.preventDefault();
  $('error').hidden = true;
  const url = new URL(location.href);
  url.searchParams.set('campaign', $('campaign').value.trim());
  url.searchParams.set('date', $('date').value);
  history.replaceState(null, '', url);
  try {
    view = {
      kind: 'day',
      data: await api(`${campaignPath()}/roster?date=${$('date').value}${scopeQuery()}`),
    };
    render();
  } catch (error) {
    showError(error);
  }
}

async function search(event) {
  event.preventDefault();
  const q = $('q').value.trim();
  if (!q) return load();
  $('error').hidden = true;
  try {
    view = {
      kind: 'search',
      data: await api(`${campaignPath()}/roster?q=${encodeURIComponent(q)}${scopeQuery()}`),
    };
    render();
  } catch (error) {
    showError(error);
  }
}

function statusText(entry) {
  if (entry.status === 'checked_in') return tt('checkedIn', bangkokTime(entry.checkedInAt));
  if (entry.status === 'cancelled') return tt('cancelled');
  return tt('booked');
}

function table(entries, withDate) {
  const t = document.createElement('table');
  const head = t.createTHead().insertRow();
  const cols = [
    ['name', ''],
    ['reference', ''],
    ['citizenId', 'hide-narrow'],
    ['birthDate', 'hide-narrow'],
    ['group', 'hide-narrow'],
    ['status', ''],
    ['action', ''],
  ];
  for (const [key, cls] of cols) {
    const th = document.createElement('th');
    th.textContent = tt(key);
    th.scope = 'col';
    if (cls) th.className = cls;
    head.append(th);
  }
  const tbody = t.createTBody();
  for (const e of entries) {
    const row = tbody.insertRow();
    row.className = e.status;
    row.dataset.booking = e.bookingId;
    const name = `${e.firstName} ${e.lastName}`;
    const when = withDate ? ` (${bangkokDate(e.startsAt)} ${bangkokTime(e.startsAt)})` : '';
    const cells = [
      [name + when, ''],
      [e.reference, ''],
      [e.citizenId, 'hide-narrow'],
      [e.birthDate, 'hide-narrow'],
      [e.groupCode, 'hide-narrow'],
      [statusText(e), `status-${e.status}`],
    ];
    for (const [text, cls] of cells) {
      const td = row.insertCell();
      td.textContent = text;
      if (cls) td.className = cls;
    }
    const action = row.insertCell();
    if (e.status !== 'cancelled' && e.status !== 'checked_in') {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = tt('checkIn');
      button.setAttribute('aria-label', `${tt('checkIn')} ${name}`);
      button.addEventListener('click', () => checkIn(e, button));
      action.append(button);
    }
  }
  return t;
}

function render() {
  const list = $('list');
  list.replaceChildren();
  $('totals').textContent = '';
  if (!view) return;
  if (view.kind === 'search') {
    const { matches } = view.data;
    $('totals').textContent = matches.length ? tt('matches', matches.length) : tt('noMatch');
    if (matches.length) list.append(table(matches, true));
    return;
  }
  const { totals, slots } = view.data;
  $('totals').textContent =
    `${tt('on', view.data.date)} · ${tt('totals', totals.booked, totals.checkedIn, totals.cancelled)}`;
  if (slots.length === 0) {
    list.append(Object.assign(document.createElement('p'), { textContent: tt('empty') }));
    return;
  }
  for (const slot of slots) {
    const section = document.createElement('section');
    section.className = 'slot';
    const h2 = document.createElement('h2');
    h2.textContent = tt('slot', bangkokTime(slot.startsAt), slot.booked, slot.checkedIn);
    section.append(h2, table(slot.entries, false));
    list.append(section);
  }
}

async function checkIn(entry, button) {
  button.disabled = true;
  $('error').hidden = true;
  try {
    const answer = await api(`${campaignPath()}/bookings/${entry.bookingId}/check-in`, {
      method: 'POST',
      body: me.role === 'ops' ? { site: $('site').value.trim() } : {},
    });
    entry.status = 'checked_in';
    entry.checkedInAt = answer.checkedInAt;
    if (view.kind === 'day') {
      const slot = view.data.slots.find((s) => s.entries.includes(entry));
      if (slot) slot.checkedIn++;
      view.data.totals.checkedIn++;
    }
    render();
    $('announce').textContent = tt('announceCheckIn', `${entry.firstName} ${entry.lastName}`);
  } catch (error) {
    button.disabled = false;
    showError(error);
  }
}

async function exportCsv() {
  $('error').hidden = true;
  try {
    const response = await api(`${campaignPath()}/roster.csv?date=${$('date').value}${scopeQuery()}`, {
      raw: true,
    });
    const blob = await response.blob();
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `roster-${me.site ?? $('site').value.trim()}-${$('date').value}.csv`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  } catch (error) {
    showError(error);
  }
}

async function signIn(event) {
  event?.preventDefault();
  $('sign-in-error').hidden = true;
  try {
    me = await api('/api/staff/me');
  } catch {
    sessionStorage.removeItem('khiw.staffToken');
    $('sign-in').hidden = false;
    $('desk').hidden = true;
    if (event) {
      $('sign-in-error').hidden = false;
      $('sign-in-error').textContent = tt('badToken');
    }
    return;
  }
  $('sign-in').hidden = true;
  $('desk').hidden = false;
  $('site-field').hidden = me.role !== 'ops';
  apply();
  if ($('campaign').value) await load();
  else $('campaign').focus();
}

const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
if (fromHash) {
  sessionStorage.setItem('khiw.staffToken', fromHash);
  history.replaceState(null, '', location.pathname + location.search);
}
$('campaign').value = params.get('campaign') ?? '';
$('site').value = params.get('site') ?? '';
$('date').value = params.get('date') ?? bangkokToday();
$('sign-in').addEventListener('submit', (event) => {
  sessionStorage.setItem('khiw.staffToken', $('token').value.trim());
  signIn(event);
});
$('pick').addEventListener('submit', load);
$('search-form').addEventListener('submit', search);
$('export').addEventListener('click', exportCsv);
$('lang').addEventListener('click', () => {
  lang = lang === 'th' ? 'en' : 'th';
  localStorage.setItem('khiw.lang', lang);
  apply();
});
apply();
if (token()) signIn();
else $('sign-in').hidden = false;
