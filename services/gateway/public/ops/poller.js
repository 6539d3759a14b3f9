// A poll the server paces: one request at a time (the next is asked only after the last has
// answered and the wait it named has passed), only answers of the current subject shown,
// and a growing, jittered wait while the server fails, so a struggling gateway is not
// hammered by every open console at once.
import { backoff } from '../shared/http.js';

const MIN_MS = 500;
const MAX_MS = 30_000;

export class Poller {
  /**
   * `load(subject)` asks; `onAnswer(answer, subject)` shows; `onFailure(error, subject)`
   * returns true to stop (told "no"). `pace(answer)` is the wait in ms after an answer.
   */
  constructor({ load, onAnswer, onFailure, pace }) {
    this.load = load;
    this.onAnswer = onAnswer;
    this.onFailure = onFailure;
    this.pace = pace;
    this.generation = 0;
    this.inflight = Promise.resolve();
    this.wake = null;
    this.hurry = false;
  }

  /** Polls `subject` from now on; a request for the previous one still in flight is ignored. */
  start(subject) {
    const generation = ++this.generation;
    this.wake?.();
    this.loop(generation, subject);
  }

  stop() {
    this.generation++;
    this.wake?.();
  }

  /** Asks again now instead of at the end of the wait (after a control changed something). */
  now() {
    this.hurry = true;
    this.wake?.();
  }

  async loop(generation, subject) {
    let failures = 0;
    // Never two requests at once: the previous subject's request finishes (unread) first.
    await this.inflight;
    while (generation === this.generation) {
      let wait;
      const asked = this.load(subject);
      this.inflight = asked.then(
        () => undefined,
        () => undefined,
      );
      try {
        const answer = await asked;
        if (generation !== this.generation) return;
        failures = 0;
        this.onAnswer(answer, subject);
        wait = clamp(this.pace(answer));
      } catch (error) {
        if (generation !== this.generation) return;
        if (this.onFailure(error, subject)) return;
        wait = Math.min(MAX_MS, backoff(failures++, error?.retryAfterSeconds));
      }
      await this.sleep(wait);
    }
  }

  sleep(ms) {
    if (this.hurry) {
      this.hurry = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      let timer;
      const done = () => {
        clearTimeout(timer);
        this.hurry = false;
        resolve();
      };
      timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}

const clamp = (ms) => Math.min(MAX_MS, Math.max(MIN_MS, Number.isFinite(ms) ? ms : 1000));
