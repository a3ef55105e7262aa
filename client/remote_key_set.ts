import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from "jose";
import { AccessTokenError } from "./errors.ts";
import { _safeCause } from "./_safe_cause.ts";
import { _checkKeySourceUrl } from "./_key_source_url.ts";
import type { AccessTokenHeader, AccessTokenInput } from "./verify_access_token.ts";

/** Options of {@linkcode RemoteKeySet}. */
export interface RemoteKeySetOptions {
  /**
   * How long fetched keys are used before the next verification fetches them
   * again, ms.
   * @default {600000}
   */
  maxAgeMs?: number;
  /**
   * A token whose key id the keys lack fetches them again at most this often
   * (a key added by a rotation), ms.
   * @default {30000}
   */
  cooldownMs?: number;
  /**
   * After a failed fetch, no other fetch is made for this long, ms: the
   * verifications in between fail at once (or use the keys still held, see
   * `staleGraceMs`) instead of each asking the key source again.
   * @default {5000}
   */
  retryAfterFailureMs?: number;
  /**
   * How long past `maxAgeMs` the keys last fetched still verify tokens whose
   * key id they hold while the key source cannot be fetched, ms. Past it,
   * every token is refused with `token_keys_unavailable` until a fetch
   * succeeds. `0` refuses at `maxAgeMs`.
   * @default {3600000}
   */
  staleGraceMs?: number;
  /**
   * How long one fetch may take, ms.
   * @default {5000}
   */
  timeoutMs?: number;
  /**
   * The `fetch` the key set is fetched with (tests, proxies).
   * @default {globalThis.fetch}
   */
  fetch?: typeof fetch;
  /**
   * Allows plain `http:` to any host, for a key source an operator
   * configured on a private network. Off, plain `http:` is refused except to
   * a loopback host.
   * @default {false}
   */
  allowInsecureHttp?: boolean;
  /**
   * The clock the keys' age, the cooldown and the grace are measured with.
   * @default {() => new Date()}
   */
  now?: () => Date;
}

/**
 * The auth service's JSON Web Key Set (`https://<ccgate>/.well-known/jwks.json`)
 * as a key resolver for {@linkcode verifyAccessToken}: fetched on first use
 * and again once `maxAgeMs` old; concurrent verifications share one fetch.
 *
 * When the key source is down (unreachable, too slow, an answer other than a
 * 200 with a key set: a 5xx, an HTML page, a redirect), verification fails
 * with `token_keys_unavailable`, never as a bad token, and:
 * - after a failed fetch, no other fetch is made for `retryAfterFailureMs`
 *   (an outage costs the key source one request per interval, not one per
 *   verification);
 * - the keys last fetched keep verifying tokens signed with a key they hold
 *   for `staleGraceMs` past `maxAgeMs`; a token with an unknown key id is
 *   refused with `token_keys_unavailable` then, as its key may be new.
 *
 * Plain `http:` is refused except to a loopback host (`localhost`,
 * `127.0.0.1`, `[::1]`), unless `allowInsecureHttp`. Redirects are not
 * followed.
 *
 * @example Share one key set, with its own clock, across verifications
 * ```ts
 * import { RemoteKeySet, verifyAccessToken } from "@ccgate/client";
 *
 * const keys = new RemoteKeySet(new URL("https://ccgate.example.com/.well-known/jwks.json"), {
 *   staleGraceMs: 30 * 60_000,
 * });
 * const verify = (token: string) =>
 *   verifyAccessToken(token, {
 *     key: keys.key,
 *     issuer: "https://ccgate.example.com",
 *     audience: "ccgate",
 *   });
 * console.log(typeof verify);
 * ```
 */
export class RemoteKeySet {
  readonly #url: URL;
  readonly #fetch: typeof fetch;
  readonly #now: () => Date;
  readonly #maxAgeMs: number;
  readonly #cooldownMs: number;
  readonly #retryAfterFailureMs: number;
  readonly #staleGraceMs: number;
  readonly #timeoutMs: number;
  #keys: JWTVerifyGetKey | undefined;
  #fetchedAt = 0;
  #failedAt: number | undefined;
  #lastError: AccessTokenError | undefined;
  #pending: Promise<void> | undefined;

  /**
   * Creates the key set; nothing is fetched until the first verification.
   *
   * @param url The JWKS URL: `https:`, or `http:` to a loopback host.
   * @param options Bounds, clock and `fetch`.
   * @throws {TypeError} When the URL is not http(s), or plain `http:` to
   * another host than loopback without `allowInsecureHttp`.
   */
  constructor(url: URL, options: RemoteKeySetOptions = {}) {
    if (!options.allowInsecureHttp || url.protocol !== "http:") _checkKeySourceUrl(url);
    this.#url = new URL(url.href);
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#now = options.now ?? (() => new Date(Date.now()));
    this.#maxAgeMs = options.maxAgeMs ?? 600_000;
    this.#cooldownMs = options.cooldownMs ?? 30_000;
    this.#retryAfterFailureMs = options.retryAfterFailureMs ?? 5_000;
    this.#staleGraceMs = options.staleGraceMs ?? 3_600_000;
    this.#timeoutMs = options.timeoutMs ?? 5_000;
  }

  /**
   * The key resolver to pass as `key` to {@linkcode verifyAccessToken}.
   *
   * @param header The token's protected header (`kid`, `alg`).
   * @param token The compact token in parts.
   * @returns The public key for the token.
   * @throws {AccessTokenError} `token_keys_unavailable` when the keys cannot be fetched.
   */
  readonly key = async (header: AccessTokenHeader, token: AccessTokenInput): Promise<unknown> => {
    if (this.#keys === undefined || this.#clock() - this.#fetchedAt >= this.#maxAgeMs) {
      try {
        await this.#reloadUnlessBackingOff();
      } catch (err) {
        if (!this.#withinGrace()) throw err;
      }
    }
    const keys = this.#keys!;
    try {
      return await keys(header, token);
    } catch (err) {
      if (!(err instanceof errors.JWKSNoMatchingKey)) throw err;
      if (this.#clock() - this.#fetchedAt < this.#cooldownMs) throw err;
      // Perhaps a key added since: ask once (a failure says the keys are unavailable, not unknown).
      await this.#reloadUnlessBackingOff();
      return await this.#keys!(header, token);
    }
  };

  /**
   * Fetches the keys now (one fetch shared with any in flight), whatever
   * their age and any failure before.
   *
   * @returns When the keys are fetched.
   * @throws {AccessTokenError} `token_keys_unavailable` when they cannot be.
   */
  reload(): Promise<void> {
    return this.#pending ??= this.#load().finally(() => this.#pending = undefined);
  }

  #clock(): number {
    return this.#now().getTime();
  }

  #withinGrace(): boolean {
    return this.#keys !== undefined &&
      this.#clock() - this.#fetchedAt < this.#maxAgeMs + this.#staleGraceMs;
  }

  #reloadUnlessBackingOff(): Promise<void> {
    if (this.#pending !== undefined) return this.#pending;
    if (
      this.#failedAt !== undefined && this.#lastError !== undefined &&
      this.#clock() - this.#failedAt < this.#retryAfterFailureMs
    ) {
      return Promise.reject(this.#lastError);
    }
    return this.reload();
  }

  async #load(): Promise<void> {
    try {
      const keys = createLocalJWKSet(await this.#fetchKeySet() as JSONWebKeySet);
      this.#keys = keys;
      this.#fetchedAt = this.#clock();
      this.#failedAt = undefined;
      this.#lastError = undefined;
    } catch (err) {
      const reason = err instanceof _Failure ? err.message : _describe(err);
      this.#failedAt = this.#clock();
      this.#lastError = new AccessTokenError(
        "token_keys_unavailable",
        `Cannot fetch verification keys from ${this.#url.origin}${this.#url.pathname}: ${reason}`,
        { cause: err instanceof _Failure ? err.cause : _safeCause(err) },
      );
      throw this.#lastError;
    }
  }

  async #fetchKeySet(): Promise<unknown> {
    const signal = AbortSignal.timeout(this.#timeoutMs);
    let response: Response;
    try {
      response = await this.#fetch(this.#url.href, {
        method: "GET",
        redirect: "manual",
        signal,
        headers: { accept: "application/json, application/jwk-set+json" },
      });
    } catch (err) {
      throw new _Failure(
        signal.aborted ? `no answer within ${this.#timeoutMs} ms` : _describe(err),
        err,
      );
    }
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => {});
      throw new _Failure(`HTTP ${response.status}, expected 200`);
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch (err) {
      throw new _Failure(
        signal.aborted ? `no answer within ${this.#timeoutMs} ms` : "the answer is not JSON",
        err,
      );
    }
    return body;
  }
}

/** A failed fetch, with the reason to put in the message. */
class _Failure extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
  }
}

function _describe(err: unknown): string {
  if (err instanceof errors.JWKSInvalid) return "the answer is not a JSON Web Key Set";
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
