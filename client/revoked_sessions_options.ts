import type { RevocationFeedError } from "./errors.ts";

/** Timer functions, injectable so tests drive the periodic refresh without waiting. */
export interface RevokedSessionsTimers {
  /** Like `globalThis.setInterval`. */
  setInterval(fn: () => void, ms: number): number;
  /** Like `globalThis.clearInterval`. */
  clearInterval(id: number): void;
}

/** Options of `RevokedSessions`. */
export interface RevokedSessionsOptions {
  /**
   * How often the feed is pulled, ms: how long after a revocation its
   * tokens may still be accepted.
   * @default {5000}
   */
  refreshIntervalMs?: number;
  /**
   * How far before the newest revocation seen each pull asks again, ms:
   * covers clock skew between the auth service and this process, and
   * replication lag between the auth service's instances.
   * @default {120000}
   */
  lookbackMs?: number;
  /**
   * Entries asked for per request, from 1 to 10,000 (the feed's maximum).
   * Every pull reads all pages.
   * @default {1000}
   */
  pageSize?: number;
  /**
   * How long one request may take, ms.
   * @default {refreshIntervalMs, at least 1000}
   */
  timeoutMs?: number;
  /**
   * The `fetch` the feed (and, with `RevokedSessions.fromIssuer`,
   * the metadata) is read with.
   * @default {globalThis.fetch}
   */
  fetch?: typeof fetch;
  /**
   * Allows a plain `http:` feed URL to any host, for a feed an operator
   * configured on a private network (with `RevokedSessions.fromIssuer`, the
   * issuer and the URLs its metadata names too). Off, plain `http:` is
   * refused except to a loopback host.
   * @default {false}
   */
  allowInsecureHttp?: boolean;
  /**
   * The clock: entries expire, and pulls are timed, by it.
   * @default {() => new Date()}
   */
  now?: () => Date;
  /**
   * The timers of the periodic refresh (`start()`).
   * @default {globalThis}
   */
  timers?: RevokedSessionsTimers;
  /**
   * Told about every failed pull, including those that `refresh()` rejects
   * with and those started in the background (`start()`, `isRevoked`), which
   * nothing else reports.
   * @default {() => {}}
   */
  onError?: (error: RevocationFeedError) => void;
}
