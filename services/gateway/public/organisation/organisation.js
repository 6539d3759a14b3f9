// An organisation (company, temple, school, charity) uploads its list of people and follows
// the bookings as they are made: progress, counts, the rows refused with their reasons, and
// every row's result to download. The organisation token (minted by ops, bound to one
// campaign) stays in this tab only (sessionStorage); it may arrive as #token=..., removed
// from the address bar at once.
import { $ } from '../shared/dom.js';
import { ApiError, request, sleep } from '../shared/http.js';
import { formatNumber, languageButton, local } from '../shared/i18n-core.js';
import { applyLang, t } from './i18n.js';

const TOKEN_KEY = 'khiw.organisationToken';
const KINDS = ['booked', 'already_booked', 'standby', 'refused', 'pending'];
let me = null; // { organisation, campaign } from the token
let upload = null; // the latest GET /api/organisation/uploads/:id answer
let watching = 0;

const token = () => sessionStorage.getItem(TOKEN_KEY) ?? '';

/** What the token says of itself (the server checks it on every call; this only labels the page). */
function claimsOf(jwt) {
  try {
    const part = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const claims = JSON.parse(atob(part));
    if (claims.role !== 'organisation' || !claims.campaign) return null;
    return { organisation: claims.sub, campaign: claims.campaign };
  } catch {
    return null;
  }
}

function apply() {
  applyLang();
  if (me) $('who').textContent = `${me.organisation} · ${me.campaign}`;
  render();
}

function showError(error, lines = []) {
  $('error').hidden = false;
  $('error').textContent = lines.length ? t('malformed') : local(error?.problem?.message) || t('error');
  $('lines').hidden = lines.length === 0;
  $('lines').replaceChildren(
    ...lines.map((l) =>
      Object.assign(document.createElement('li'), {
        textContent: `${t('lineOf', l.line)}: ${local(l.message)}`,
      }),
    ),
  );
}

function render() {
  if (!upload) return;
  const { status, total, processed, counts, refused } = upload;
  $('progress-card').hidden = false;
  $('progress').max = total;
  $('progress').value = processed;
  const done = status === 'done';
  $('state').textContent = !done
    ? t('running', formatNumber(processed), formatNumber(total))
    : processed < total
      ? t('stopped', formatNumber(processed), formatNumber(total))
      : t('done', formatNumber(total));
  $('counts').replaceChildren(
    ...KINDS.map((kind) => {
      const pair = document.createElement('div');
      pair.className = `kind-${kind}`;
      pair.append(
        Object.assign(document.createElement('dt'), { textContent: t(kind) }),
        Object.assign(document.createElement('dd'), {
          textContent: formatNumber(counts[kind]),
          id: `count-${kind}`,
        }),
      );
      return pair;
    }),
  );
  $('download').hidden = !done;
  $('refused-card').hidden = refused.length === 0;
  $('refused').tBodies[0].replaceChildren(
    ...refused.map((r) => {
      const row = document.createElement('tr');
      for (const [text, cls] of [
        [r.line, ''],
        [`${r.firstName} ${r.lastName}`, ''],
        [r.citizenId, 'hide-narrow'],
        [`${local(r.reason)} (${r.code})`, 'reason'],
      ]) {
        const td = row.insertCell();
        td.textContent = text;
        if (cls) td.className = cls;
      }
      return row;
    }),
  );
}

/** Polls the upload until it is done; a newer upload stops the older watch. */
async function watch(uploadId) {
  const mine = ++watching;
  for (let failures = 0; mine === watching;) {
    try {
      upload = await request(`/api/organisation/uploads/${uploadId}`, { token: token() });
      failures = 0;
      render();
      if (upload.status === 'done') return;
    } catch (error) {
      if (!(error instanceof ApiError) || !error.retriable || ++failures > 10) return showError(error);
    }
    await sleep(1000);
  }
}

async function send(event) {
  event.preventDefault();
  const file = $('file').files[0];
  if (!file || !me) return;
  $('error').hidden = true;
  $('lines').hidden = true;
  $('send').disabled = true;
  $('state').textContent = t('sending');
  try {
    // The file as it is, bytes unchanged: the server reads the BOM and the encoding.
    const response = await fetch(`/api/organisation/uploads?campaignId=${encodeURIComponent(me.campaign)}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token()}`, 'Content-Type': 'text/csv', Accept: 'application/json' },
      body: file,
      cache: 'no-store',
    });
    const json = await response.json().catch(() => undefined);
    if (!response.ok) {
      upload = null;
      $('progress-card').hidden = true;
      $('refused-card').hidden = true;
      return showError(new ApiError(response.status, json?.error), json?.error?.lines ?? []);
    }
    await watch(json.uploadId);
  } catch (error) {
    showError(error);
  } finally {
    $('send').disabled = false;
  }
}

async function download(event) {
  event.preventDefault();
  if (!upload) return;
  try {
    const blob = await request(`/api/organisation/uploads/${upload.uploadId}/results.csv`, {
      token: token(),
      as: 'blob',
    });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `khiw-results-${upload.uploadId.slice(0, 8)}.csv`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  } catch (error) {
    showError(error);
  }
}

function signIn(event) {
  event?.preventDefault();
  me = claimsOf(token());
  $('sign-in').hidden = Boolean(me);
  $('desk').hidden = !me;
  $('sign-in-error').hidden = !(event && !me);
  $('sign-in-error').textContent = t('badToken');
  if (!me) sessionStorage.removeItem(TOKEN_KEY);
  apply();
}

const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
if (fromHash) {
  sessionStorage.setItem(TOKEN_KEY, fromHash);
  history.replaceState(null, '', location.pathname + location.search);
}
$('sign-in').addEventListener('submit', (event) => {
  sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
  signIn(event);
});
$('upload-form').addEventListener('submit', send);
$('download').addEventListener('click', download);
languageButton($('lang'), t, apply);
signIn();
