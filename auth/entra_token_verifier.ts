import {
  createRemoteJWKSet,
  customFetch,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  type JWTPayload,
  jwtVerify,
  type JWTVerifyGetKey,
} from "jose";
import { checkEntraClaims, type EntraIdentity } from "./check_entra_claims.ts";
import type { EntraConfig } from "./config.ts";
import { EntraTokenError } from "./errors.ts";

/** Options of {@linkcode createEntraTokenVerifier}. */
export interface EntraTokenVerifierOptions {
  /** Which tokens are accepted. */
  entra: EntraConfig;
  /** The clock, for `exp`/`nbf`. */
  now: () => Date;
  /**
   * The `fetch` used for Entra's JWKS.
   * @default {globalThis.fetch}
   */
  fetch?: typeof fetch;
  /**
   * Tolerated clock skew for `exp`/`nbf`, seconds.
   * @default {60}
   */
  clockToleranceSeconds?: number;
  /**
   * Least time between two JWKS fetches caused by an unknown `kid`, ms
   * (jose's `cooldownDuration`).
   * @default {30_000}
   */
  cooldownMs?: number;
  /**
   * How long fetched keys are trusted before a refetch, ms.
   * @default {600_000}
   */
  cacheMaxAgeMs?: number;
  /**
   * JWKS fetch timeout, ms.
   * @default {5_000}
   */
  timeoutMs?: number;
}

/** Verifies an Entra ID access token; resolves to the user or throws {@linkcode EntraTokenError}. */
export type EntraTokenVerifier = (token: string) => Promise<EntraIdentity>;

/**
 * Creates the verifier of Entra ID access tokens offered for exchange.
 *
 * Before any signature work: a header `nonce` (a Microsoft Graph token) is
 * rejected, the algorithm must be RS256, and the unverified `tid` must be
 * allowlisted (it picks the key set, so no one can make us fetch another
 * tenant's keys). Then the signature against
 * `{authority}/{tid}/discovery/v2.0/keys` (jose remote key set: cached,
 * shared pending fetch, one refetch per cooldown on an unknown `kid`,
 * timeout, no redirects) and `exp`/`nbf`; then every other claim in
 * {@linkcode checkEntraClaims}.
 *
 * @param options Acceptance rules, clock, fetch and key set timings.
 * @returns The verifier.
 *
 * @example Verify a token
 * ```ts ignore
 * const verify = createEntraTokenVerifier({ entra: config.entra, now: () => new Date() });
 * const identity = await verify(subjectToken);
 * ```
 */
export function createEntraTokenVerifier(options: EntraTokenVerifierOptions): EntraTokenVerifier {
  const { entra, now } = options;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const keySets = new Map<string, JWTVerifyGetKey>();

  function keySetFor(tid: string): JWTVerifyGetKey {
    const key = tid.toLowerCase();
    let set = keySets.get(key);
    if (set === undefined) {
      set = createRemoteJWKSet(new URL(`${entra.authorityHost}/${tid}/discovery/v2.0/keys`), {
        cooldownDuration: options.cooldownMs ?? 30_000,
        cacheMaxAge: options.cacheMaxAgeMs ?? 600_000,
        timeoutDuration: options.timeoutMs ?? 5_000,
        [customFetch]: (url, init) => fetchImpl(url, init),
      });
      keySets.set(key, set);
    }
    return set;
  }

  return async function verifyEntraToken(token) {
    let header;
    let unverified: JWTPayload;
    try {
      header = decodeProtectedHeader(token);
      unverified = decodeJwt(token);
    } catch (err) {
      throw new EntraTokenError("entra_token_malformed", "The subject_token is not a JWT", {
        cause: err,
      });
    }
    if ("nonce" in header) {
      throw new EntraTokenError(
        "entra_token_graph",
        `A Microsoft Graph token (header "nonce") cannot be exchanged: request a token for scope ${
          JSON.stringify(entra.requestScope)
        }`,
      );
    }
    if (header.alg !== "RS256") {
      throw new EntraTokenError(
        "entra_token_algorithm",
        'Entra token header "alg" must be "RS256"',
      );
    }
    const tid = typeof unverified.tid === "string" ? unverified.tid : "";
    if (!entra.tenantIds.some((t) => t.toLowerCase() === tid.toLowerCase())) {
      throw new EntraTokenError(
        "entra_token_tenant_not_allowed",
        `Entra tenant ${JSON.stringify(tid)} is not allowed (ENTRA_TENANT_ID)`,
      );
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keySetFor(tid), {
        algorithms: ["RS256"],
        currentDate: now(),
        clockTolerance: options.clockToleranceSeconds ?? 60,
        requiredClaims: ["exp", "iat"],
      }));
    } catch (err) {
      throw _toEntraTokenError(err);
    }
    return checkEntraClaims(payload, entra);
  };
}

function _toEntraTokenError(err: unknown): EntraTokenError {
  const cause = { cause: err };
  if (err instanceof errors.JWTExpired) {
    return new EntraTokenError(
      "entra_token_expired",
      'Entra token "exp" claim timestamp check failed: sign in again',
      cause,
    );
  }
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === "nbf") {
      return new EntraTokenError(
        "entra_token_not_yet_valid",
        'Entra token "nbf" claim timestamp check failed',
        cause,
      );
    }
    return new EntraTokenError(
      "entra_token_claim_missing",
      `Entra token "${err.claim}" claim check failed`,
      cause,
    );
  }
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) {
    return new EntraTokenError(
      "entra_token_key_unknown",
      'No Entra signing key matches the token header "kid"',
      cause,
    );
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return new EntraTokenError(
      "entra_token_signature",
      "Entra token signature verification failed",
      cause,
    );
  }
  if (
    err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid ||
    err instanceof errors.JOSEError && err.code === "ERR_JOSE_GENERIC" || err instanceof TypeError
  ) {
    return new EntraTokenError(
      "entra_token_keys_unavailable",
      "Cannot fetch Entra's signing keys: try again shortly",
      cause,
    );
  }
  return new EntraTokenError(
    "entra_token_malformed",
    "The subject_token is not a valid JWT",
    cause,
  );
}
