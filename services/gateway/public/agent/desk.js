// What the agent page knows: the token (this tab only), who signed in, the campaign open.
import { request } from '../shared/http.js';

const TOKEN_KEY = 'khiw.agentToken';

export const desk = {
  /** GET /api/agent/me: { subject, channel, site, campaign, today } */
  me: null,
  campaignId: '',
  /** The campaign snapshot (groups, sites, channels, eligibility). */
  campaign: null,
};

export const token = () => sessionStorage.getItem(TOKEN_KEY) ?? '';
export const setToken = (value) => sessionStorage.setItem(TOKEN_KEY, value);
export const dropToken = () => sessionStorage.removeItem(TOKEN_KEY);

/** The gateway's API with the agent's token. */
export const api = (path, options = {}) => request(path, { ...options, token: token() });

export const siteOf = (id) => desk.campaign?.sites?.find((s) => s.id === id);

export const provinceCode = () => desk.campaign?.eligibility?.provinceCode ?? null;

// The header's day count is re-read after each booking; the page sets how.
let refresh = () => undefined;
export const onRefreshMe = (fn) => (refresh = fn);
export const refreshMe = () => refresh();
