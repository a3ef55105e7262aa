import type { MiddlewareHandler } from "hono";
import {
  type AccessTokenClaims,
  AccessTokenError,
  type AccessTokenKey,
  verifyAccessToken,
} from "@ccgate/client";
import { AuthenticationError, AuthUnavailableError } from "./errors.ts";
import { hashToken, VerifiedTokenCache } from "./verified_token_cache.ts";
import { bearerToken } from "./bearer_token.ts";
import { timingSafeEqual } from "./timing_safe_equal.ts";

/** Options of {@linkcode authenticate}. */
export interface AuthenticateOptions {
  /** Verification keys: the in-process key ring, a public key or a JWKS URL. */
  key: AccessTokenKey;
  /** Expected `iss`. */
  issuer: string;
  /** Expected `aud`. */
  audience: string;
  /** Tolerated clock skew, seconds. */
  clockSkewSeconds: number;
  /** The clock. */
  now: () => Date;
  /** Whether a session was revoked; answered from memory. */
  isRevoked?: (sid: string) => boolean;
  /** Cache of verified tokens; a new one by default. */
  cache?: VerifiedTokenCache;
}

declare module "hono" {
  interface ContextVariableMap {
    /** The verified access token's claims. */
    claims: AccessTokenClaims;
  }
}

/**
 * Hono middleware that accepts a ccgate access token from
 * `Authorization: Bearer` or `x-api-key` (Claude Code sends both; if both are
 * present they must be equal), verifies it (or finds it in the cache of
 * verified tokens) and sets `c.var.claims`. Every refused credential is a
 * 401 `authentication_error`, never a 403, so Claude Code re-runs its
 * `apiKeyHelper`; no message ever contains the token. A request with no
 * token, or an empty one (`Authorization: Bearer` is what Claude Code sends
 * when its helper fails), is also told `x-should-retry: false`, and the
 * message says to run `ccgate token`: in Bedrock mode Claude Code would
 * otherwise retry for about three minutes and then blame the AWS
 * credentials. A token that cannot be checked because the auth service's
 * keys cannot be fetched
 * (`token_keys_unavailable`) is no fault of the credential: 503 with
 * `retry-after` ({@linkcode AuthUnavailableError}), which Claude Code retries
 * with the same token.
 */
export function authenticate(options: AuthenticateOptions): MiddlewareHandler {
  const cache = options.cache ?? new VerifiedTokenCache();
  const { key, issuer, audience, clockSkewSeconds, now, isRevoked } = options;

  return async function authenticate(c, next) {
    const token = credentialOf(c.req.header("authorization"), c.req.header("x-api-key"));
    const hash = await hashToken(token);
    const currentDate = now();
    const nowSeconds = Math.floor(currentDate.getTime() / 1000);
    let claims = cache.get(hash, nowSeconds - clockSkewSeconds);
    if (claims === undefined) {
      try {
        claims = await verifyAccessToken(token, {
          key,
          issuer,
          audience,
          currentDate,
          clockToleranceSeconds: clockSkewSeconds,
        });
      } catch (err) {
        if (err instanceof AccessTokenError && err.code === "token_keys_unavailable") {
          throw new AuthUnavailableError(
            "Cannot check the access token: the sign-in service's keys could not be fetched; try again in a few seconds",
            KEYS_RETRY_AFTER_SECONDS,
            { cause: err },
          );
        }
        if (err instanceof AccessTokenError) {
          throw new AuthenticationError(
            `Invalid access token: ${err.message}${WHAT_NEXT[err.code] ?? ""}`,
            { cause: err, reason: err.code },
          );
        }
        throw err;
      }
      cache.set(hash, claims);
    }
    if (isRevoked?.(claims.sid)) {
      // Claude Code shows this message: the token stays cached on the workstation until it
      // expires, so say what ends it now.
      throw new AuthenticationError(
        "Invalid access token: the session was revoked; sign in again with `ccgate login`",
        { reason: "session_revoked" },
      );
    }
    c.set("claims", claims);
    await next();
  };
}

/** The `retry-after` of a 503 for unavailable keys: the key set fetches again at most every 5 s. */
const KEYS_RETRY_AFTER_SECONDS = 5;

const RENEW = "; get a new token with `ccgate refresh` (or sign in with `ccgate login`)";
const SIGN_IN = "; this gateway takes ccgate access tokens: sign in with `ccgate login`";

/**
 * What a user can do about a refused token, after its reason, where ccgate's
 * own tools help (Claude Code shows the message; its `apiKeyHelper` keeps
 * handing out a cached token until it expires, up to `CCGATE_ACCESS_TTL`):
 * a token signed with a key the gateway no longer trusts (an emergency key
 * rotation) or for another issuer or audience (the deployment was
 * reconfigured) is renewed by `ccgate refresh`; what is not a JWT at all is
 * most often another credential (an Anthropic API key). An expired token
 * needs nothing: the helper refreshes it before handing it out.
 */
const WHAT_NEXT: Partial<Record<AccessTokenError["code"], string>> = {
  token_key_unknown: RENEW,
  token_signature_invalid: RENEW,
  token_claim_invalid: RENEW,
  token_type_invalid: SIGN_IN,
  token_malformed: SIGN_IN,
};

/** `Authorization: Bearer` without a token: what Claude Code sends when its apiKeyHelper fails. */
const EMPTY_BEARER = /^Bearer *$/i;

function credentialOf(authorization: string | undefined, apiKey: string | undefined): string {
  let bearer: string | undefined;
  let empty = false;
  if (authorization !== undefined) {
    bearer = bearerToken(authorization);
    // Only a header that is not a bearer token is looked at again: a request pays one match.
    empty = bearer === undefined && EMPTY_BEARER.test(authorization.trim());
    if (bearer === undefined && !empty) {
      throw new AuthenticationError(
        'Invalid authorization header: expected "Bearer <token>"',
        { error: "invalid_request", reason: "credentials_malformed" },
      );
    }
  }
  const key = apiKey?.trim();
  if (bearer !== undefined && key !== undefined && key !== "" && !timingSafeEqual(bearer, key)) {
    throw new AuthenticationError(
      "Conflicting credentials: x-api-key and the Authorization bearer token differ",
      { error: "invalid_request", reason: "credentials_conflicting" },
    );
  }
  const token = bearer ?? key;
  if (token === undefined || token === "") {
    // Retrying cannot help (Claude Code in Bedrock mode otherwise retries for minutes, running
    // a failing helper each time, then blames the AWS credentials).
    throw new AuthenticationError(
      empty || apiKey !== undefined
        ? "Missing credentials: the token is empty, as Claude Code sends it when its apiKeyHelper (`ccgate token`) fails; run `ccgate token` to see why, or sign in again with `ccgate login`"
        : 'Missing credentials: send a ccgate access token as "Authorization: Bearer <token>" or x-api-key (run `ccgate login`)',
      { error: "invalid_request", reason: "credentials_missing", shouldRetry: false },
    );
  }
  return token;
}
