import { createHash } from "node:crypto";
import type { AccessTokenClaims } from "@ccgate/client";

/** Options of {@linkcode VerifiedTokenCache}. */
export interface VerifiedTokenCacheOptions {
  /**
   * Most tokens kept; the oldest entry is evicted past this.
   * @default {10_000}
   */
  maxEntries?: number;
}

/**
 * Remembers tokens whose signature and claims were verified, keyed by the
 * SHA-256 of the token (the raw token is never kept), until their `exp`.
 * Claude Code reuses one token for up to an hour, so repeat requests skip the
 * signature check.
 */
export class VerifiedTokenCache {
  readonly #entries = new Map<string, AccessTokenClaims>();
  readonly #maxEntries: number;

  constructor(options: VerifiedTokenCacheOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 10_000;
  }

  /** Number of cached tokens. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * The claims of a cached, still unexpired token.
   *
   * @param hash The token's hash from {@linkcode hashToken}.
   * @param nowSeconds Current time, seconds since the epoch.
   */
  get(hash: string, nowSeconds: number): AccessTokenClaims | undefined {
    const claims = this.#entries.get(hash);
    if (claims === undefined) return undefined;
    if (claims.exp <= nowSeconds) {
      this.#entries.delete(hash);
      return undefined;
    }
    return claims;
  }

  /** Caches verified claims under the token's hash. */
  set(hash: string, claims: AccessTokenClaims): void {
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(hash, claims);
  }
}

/**
 * SHA-256 of a token, base64url: the cache key and the only form a token is ever logged in.
 * Hashed synchronously with `node:crypto` (on every request): `crypto.subtle.digest` hops to
 * a worker thread and back, which cost about 0.3 ms of the event loop per request under load
 * (`deno task bench`, profiled with `--cpu-prof`).
 */
export function hashToken(token: string): Promise<string> {
  return Promise.resolve(createHash("sha256").update(token).digest("base64url"));
}
