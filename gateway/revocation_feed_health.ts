/**
 * How fresh a separately deployed gateway's copy of the auth service's
 * revocation feed is (`gateway/main.ts`). The gateway keeps serving tokens
 * when the feed cannot be pulled (failing closed would turn every blip of
 * the auth service into an outage), so a stale feed must be visible instead:
 * `/readyz` reports it and a warning is logged.
 *
 * @module
 */
import type { Log } from "./log.ts";
import type { ReadinessCheck } from "./readyz_route.ts";
import { connectionErrorText } from "./connection_error_text.ts";
import { Freshness, seconds } from "./freshness.ts";

/** Options of {@linkcode RevocationFeedHealth}. */
export interface RevocationFeedHealthOptions {
  /** The feed's URL (named in the readiness reason). */
  url: string | URL;
  /** Longest time since the last successful pull before the feed counts as stale, ms. */
  maxAgeMs: number;
  /** The clock. */
  now: () => Date;
  /** Structured log sink: one warning when the feed goes stale, one line when it recovers. */
  log: Log;
  /**
   * The `fetch` the pulls go through.
   * @default {globalThis.fetch}
   */
  fetch?: typeof fetch;
}

/**
 * Watches the pulls of the revocation feed: give {@linkcode RevocationFeedHealth.fetch}
 * to the `RevocationList` that pulls it, and {@linkcode RevocationFeedHealth.readiness}
 * to `/readyz`. A pull succeeds when the feed answers 2xx with a
 * `{"revocations": [...]}` body. The feed is stale when no pull succeeded
 * for more than `maxAgeMs` (or none ever did); the transitions to stale and
 * back are logged once each, checked at every pull and every readiness check.
 *
 * @example
 * ```ts
 * import { RevocationList } from "@ccgate/auth";
 *
 * const url = "https://auth.example.com/oauth/revocations";
 * const health = new RevocationFeedHealth({
 *   url, maxAgeMs: 60_000, now: () => new Date(), log: console.log,
 * });
 * const revocations = new RevocationList({ url, fetch: health.fetch });
 * const checks = [health.readiness()];
 * ```
 */
export class RevocationFeedHealth {
  readonly #options: RevocationFeedHealthOptions;
  readonly #fetch: typeof fetch;
  readonly #freshness: Freshness;

  /** @param options The feed, the bound, clock, log and `fetch`. */
  constructor(options: RevocationFeedHealthOptions) {
    this.#options = options;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#freshness = new Freshness({
      maxAgeMs: options.maxAgeMs,
      now: options.now,
      log: options.log,
      stale: {
        msg: "revocation feed stale: revoked sessions are not picked up until it is pulled again",
        event: "revocation_feed_stale",
      },
      fresh: { msg: "revocation feed pulled again", event: "revocation_feed_recovered" },
    });
  }

  /** A `fetch` that records whether each pull of the feed succeeded. */
  readonly fetch: typeof fetch = async (input, init) => {
    let response: Response;
    try {
      response = await this.#fetch(input, init);
    } catch (err) {
      this.#failed(connectionErrorText(err));
      throw err;
    }
    if (!response.ok) {
      this.#failed(`HTTP ${response.status}`);
      return response;
    }
    let text: string;
    try {
      text = await response.text();
    } catch (err) {
      this.#failed(connectionErrorText(err));
      throw err;
    }
    if (_isFeed(text)) this.#succeeded();
    else this.#failed("not a revocation feed body");
    return new Response(text, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };

  /**
   * The `revocations` readiness check: fails, naming the feed and how long
   * ago it was last pulled, while the feed is stale.
   */
  readiness(): ReadinessCheck {
    return {
      name: "revocations",
      check: () => {
        const age = this.#freshness.age();
        this.#freshness.update(age);
        if (this.#freshness.stale) return Promise.reject(new Error(this.#reason(age)));
        return Promise.resolve(`pulled ${seconds(age!)} ago`);
      },
    };
  }

  #reason(age: number | undefined): string {
    const when = age === undefined ? "never pulled" : `last pulled ${seconds(age)} ago`;
    const lastError = this.#freshness.lastError;
    const error = lastError === undefined ? "" : ` (last error: ${lastError})`;
    return `Revocation feed ${this.#options.url} is stale: ${when}, more than ${
      seconds(this.#options.maxAgeMs)
    } allowed${error}; sessions revoked since are still accepted`;
  }

  #succeeded(): void {
    this.#freshness.succeeded();
  }

  #failed(error: string): void {
    this.#freshness.failed(error);
    this.#freshness.update();
  }
}

function _isFeed(text: string): boolean {
  try {
    const body = JSON.parse(text) as { revocations?: unknown } | null;
    return Array.isArray(body?.revocations);
  } catch {
    return false;
  }
}
