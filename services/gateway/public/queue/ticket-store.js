// One ticket per browser and campaign, shared by every tab: the record lives in
// localStorage (a refresh keeps the place), updates travel over BroadcastChannel (with the
// storage event as a fallback), and a Web Lock elects the one tab that joins and polls.
// The access token never goes to localStorage: it travels in memory and lands in the
// sessionStorage of the tab that continues to the booking form.

const hasLocks =
  typeof navigator !== 'undefined' && navigator.locks && typeof navigator.locks.request === 'function';

export class TicketStore {
  /** @param {string} campaignId @param {(record: object | null, accessToken?: string) => void} onRemote */
  constructor(campaignId, onRemote) {
    this.campaignId = campaignId;
    this.key = `khiw:queue:${campaignId}`;
    this.memory = null; // used when localStorage is unavailable (private mode, quota)
    this.channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(`khiw:${campaignId}`) : null;
    this.channel?.addEventListener('message', (event) => {
      if (event.data?.type === 'record') onRemote(event.data.record, event.data.accessToken);
    });
    // Only other tabs get storage events, so this never echoes our own writes.
    addEventListener('storage', (event) => {
      if (event.key === this.key && !this.channel) onRemote(this.read());
    });
  }

  read() {
    try {
      const raw = localStorage.getItem(this.key);
      return raw ? JSON.parse(raw) : this.memory;
    } catch {
      return this.memory;
    }
  }

  /** Saves the record and tells the other tabs (the access token only in memory). */
  save(record, accessToken) {
    this.memory = record;
    try {
      localStorage.setItem(this.key, JSON.stringify(record));
    } catch {
      // Storage full or blocked: the tab keeps the record in memory.
    }
    this.channel?.postMessage({ type: 'record', record, accessToken });
  }

  /** Tells the other tabs without storing (an outcome that may change on the next visit). */
  broadcast(record) {
    this.channel?.postMessage({ type: 'record', record });
  }

  /** Runs `fn` while holding a lock shared by all tabs of this campaign. */
  exclusive(name, fn) {
    return hasLocks ? navigator.locks.request(`khiw:${name}:${this.campaignId}`, fn) : fn();
  }

  /**
   * Calls `onLeader` once this tab holds the poller lock; it holds it until the tab closes,
   * then the next waiting tab takes over. Without Web Locks every tab is its own leader.
   */
  lead(onLeader) {
    if (!hasLocks) return void onLeader();
    navigator.locks.request(`khiw:poller:${this.campaignId}`, () => {
      onLeader();
      return new Promise(() => undefined);
    });
  }
}
