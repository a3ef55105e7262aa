/**
 * The auth service's signing keys as a separately deployed gateway holds
 * them (`gateway/main.ts`): fetched from its JWKS, cached, and reported to
 * `/readyz` by whether the keys held are still usable — not by whether the
 * auth service answers this very second, since tokens are verified with the
 * cached keys while it is down.
 *
 * @module
 */
import { type AccessTokenKeyResolver, RemoteKeySet } from "@ccgate/client";
import type { Log } from "./log.ts";
import type { ReadinessCheck } from "./readyz_route.ts";
import { connectionErrorText } from "./connection_error_text.ts";
import { Freshness, seconds } from "./freshness.ts";

/** Options of {@linkcode JwksKeySet}. */
export interface JwksKeySetOptions {
  /** The auth service's JWKS (`CCGATE_JWKS_URL`). */
  url: URL;
  /** The clock. */
  now: () => Date;
  /** Structured log sink: one warning when the keys go stale, one line when they are fetched again. */
  log: Log;
  /**
   * How long fetched keys are used before they must be fetched again, ms:
   * past it, the check fails until the JWKS answers again.
   * @default {600000}
   */
  maxAgeMs?: number;
  /**
   * How long past `maxAgeMs` the keys held still verify tokens whose key id
   * they hold while the JWKS cannot be fetched, ms; past it every token not
   * already verified is refused (`token_keys_unavailable`, answered 503).
   * @default {3600000}
   */
  staleGraceMs?: number;
  /**
   * After a failed fetch, token verification fetches again at most this
   * often, ms (verifications in between use the keys held, or fail at once).
   * @default {5000}
   */
  retryAfterFailureMs?: number;
  /**
   * Shortest time between two fetches the readiness check makes while the
   * keys are stale, ms; `/readyz` calls in between report the last state.
   * @default {5000}
   */
  probeIntervalMs?: number;
  /**
   * How long one fetch of the JWKS may take, ms.
   * @default {5000}
   */
  timeoutMs?: number;
  /**
   * An unknown key id refetches the JWKS at most this often, ms.
   * @default {30000}
   */
  cooldownMs?: number;
  /**
   * The `fetch` the JWKS goes through.
   * @default {globalThis.fetch}
   */
  fetch?: typeof fetch;
}

/**
 * The JWKS of the auth service: {@linkcode JwksKeySet.key} resolves tokens'
 * keys (the client library's `RemoteKeySet`: one pending fetch shared, a
 * cooldown on unknown key ids, a timeout, at most one fetch per
 * `retryAfterFailureMs` while the JWKS fails, and the keys held kept for
 * `staleGraceMs` past `maxAgeMs` for the key ids they hold; plain `http:`
 * allowed, as the URL is the operator's), {@linkcode JwksKeySet.readiness} is the `auth`
 * check of `/readyz`. It passes while the last successful fetch is at most
 * `maxAgeMs` old — the keys are then used without asking the auth service —
 * and otherwise fetches the keys itself (at most once per
 * `probeIntervalMs`, so `/readyz` cannot be used to flood the auth service)
 * and passes when that fetch succeeds. The transitions to stale and back are
 * logged once each.
 *
 * @example
 * ```ts
 * const keys = new JwksKeySet({
 *   url: new URL("https://auth.example.com/.well-known/jwks.json"),
 *   now: () => new Date(),
 *   log: console.log,
 * });
 * const checks = [keys.readiness()];
 * // createApp({ key: keys.key, readiness: checks, ... })
 * ```
 */
export class JwksKeySet {
  readonly #options: JwksKeySetOptions;
  readonly #maxAgeMs: number;
  readonly #fetch: typeof fetch;
  readonly #set: RemoteKeySet;
  readonly #freshness: Freshness;
  #keyCount = 0;
  #probedAt: number | undefined;
  #probe: Promise<void> | undefined;

  /** @param options The JWKS URL, clock, log, bounds and `fetch`. */
  constructor(options: JwksKeySetOptions) {
    this.#options = options;
    this.#maxAgeMs = options.maxAgeMs ?? 600_000;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#set = new RemoteKeySet(options.url, {
      timeoutMs: options.timeoutMs,
      cooldownMs: options.cooldownMs,
      maxAgeMs: this.#maxAgeMs,
      staleGraceMs: options.staleGraceMs,
      retryAfterFailureMs: options.retryAfterFailureMs,
      allowInsecureHttp: true,
      now: options.now,
      fetch: this.#fetchKeys,
    });
    this.#freshness = new Freshness({
      maxAgeMs: this.#maxAgeMs,
      now: options.now,
      log: options.log,
      stale: {
        msg:
          "verification keys stale: tokens not verified before are refused until the JWKS answers",
        event: "jwks_stale",
      },
      fresh: { msg: "verification keys fetched again", event: "jwks_recovered" },
    });
  }

  /** The key resolver to verify tokens with (`GatewayDeps.key`). */
  get key(): AccessTokenKeyResolver {
    return this.#set.key;
  }

  /** Fetches the keys now. @throws When the JWKS cannot be fetched. */
  reload(): Promise<void> {
    return this.#set.reload();
  }

  /**
   * The `auth` readiness check: passes, saying how old the keys are, while
   * they are usable; fails naming the JWKS, the keys' age and the last error.
   */
  readiness(): ReadinessCheck {
    return {
      name: "auth",
      check: async () => {
        if (this.#freshness.isStale()) await this.#probeNow();
        const age = this.#freshness.age();
        this.#freshness.update(age);
        if (this.#freshness.stale) throw new Error(this.#reason(age));
        return `${this.#keyCount} key${this.#keyCount === 1 ? "" : "s"} fetched ${
          seconds(age!)
        } ago`;
      },
    };
  }

  /** One fetch at a time, at most once per `probeIntervalMs`; never throws. */
  #probeNow(): Promise<void> {
    if (this.#probe !== undefined) return this.#probe;
    const now = this.#options.now().getTime();
    const interval = this.#options.probeIntervalMs ?? 5_000;
    if (this.#probedAt !== undefined && now - this.#probedAt < interval) return Promise.resolve();
    this.#probedAt = now;
    return this.#probe = this.#set.reload().catch(() => {}).finally(() => this.#probe = undefined);
  }

  /** The key set's fetch: records each fetch's outcome. */
  readonly #fetchKeys = async (input: string | URL | Request, init?: RequestInit) => {
    let response: Response;
    try {
      response = await this.#fetch(input, init);
    } catch (err) {
      this.#failed(connectionErrorText(err));
      throw err;
    }
    if (response.status !== 200) {
      this.#failed(`HTTP ${response.status}`);
      return response;
    }
    const text = await response.text().catch((err) => {
      this.#failed(connectionErrorText(err));
      throw err;
    });
    const keys = _keysOf(text);
    if (keys === undefined) this.#failed("not a JSON Web Key Set");
    else this.#succeeded(keys);
    return new Response(text, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };

  #reason(age: number | undefined): string {
    const when = age === undefined ? "never fetched" : `last fetched ${seconds(age)} ago`;
    const lastError = this.#freshness.lastError;
    const error = lastError === undefined ? "" : ` (last error: ${lastError})`;
    return `Verification keys from ${this.#options.url} are stale: ${when}, more than ${
      seconds(this.#maxAgeMs)
    } allowed${error}; tokens not verified before are refused`;
  }

  #succeeded(keys: number): void {
    this.#keyCount = keys;
    this.#freshness.succeeded();
  }

  #failed(error: string): void {
    this.#freshness.failed(error);
  }
}

function _keysOf(text: string): number | undefined {
  try {
    const body = JSON.parse(text) as { keys?: unknown } | null;
    return Array.isArray(body?.keys) && body.keys.every((k) => typeof k === "object" && k !== null)
      ? body.keys.length
      : undefined;
  } catch {
    return undefined;
  }
}
