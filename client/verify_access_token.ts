import {
  createRemoteJWKSet,
  customFetch,
  errors,
  type JWTPayload,
  jwtVerify,
  type JWTVerifyGetKey,
} from "jose";
import { AccessTokenError } from "./errors.ts";

/** The claims of a verified ccgate access token (RFC 9068 plus ccgate's own). */
export interface AccessTokenClaims {
  /** Issuer: the ccgate auth service. */
  iss: string;
  /** Subject: the user's Entra object id (`oid`). */
  sub: string;
  /** Audience the token was issued for. */
  aud: string | string[];
  /** Expiry, seconds since the epoch. */
  exp: number;
  /** Issued at, seconds since the epoch. */
  iat: number;
  /** Unique token id. */
  jti: string;
  /** The ccgate session this token belongs to. */
  sid: string;
  /** The OAuth client the session was created for. */
  client_id: string;
  /** The user's Entra tenant id. */
  tid?: string;
  /** Display name, for display only: never authorize on it. */
  name?: string;
  /** E-mail address, for display only: never authorize on it. */
  email?: string;
  /** App roles captured at sign-in, for policy. */
  roles: string[];
  /** Group ids captured at sign-in, for policy. */
  groups: string[];
}

/** The protected header of a token, as a key resolver sees it. */
export interface AccessTokenHeader {
  /** Signature algorithm. */
  alg: string;
  /** Key id. */
  kid?: string;
  /** Token type (`at+jwt`). */
  typ?: string;
  /** Other header parameters. */
  [parameter: string]: unknown;
}

/** The compact token split in parts, as a key resolver sees it. */
export interface AccessTokenInput {
  /** Encoded payload. */
  payload: string | Uint8Array;
  /** Encoded signature. */
  signature: string;
  /** Encoded protected header. */
  protected?: string;
}

/**
 * Picks the public key for a token's header (its `kid` and `alg`): returns
 * a `CryptoKey` or a promise of one. jose's `createLocalJWKSet` and
 * `createRemoteJWKSet` results are resolvers.
 */
export type AccessTokenKeyResolver = (
  header: AccessTokenHeader,
  token: AccessTokenInput,
) => unknown;

/** Where the verification keys come from. */
export type AccessTokenKey = AccessTokenKeyResolver | CryptoKey | URL;

/** Options of {@linkcode verifyAccessToken}. */
export interface VerifyAccessTokenOptions {
  /**
   * The verification key: a key resolver (for example the auth service's
   * in-process key ring), a public `CryptoKey`, or the URL of the auth
   * service's JWKS (`https://<ccgate>/.well-known/jwks.json`), fetched with a
   * cache, a cooldown on unknown key ids and a timeout.
   */
  key: AccessTokenKey;
  /** The expected `iss` claim, exactly. */
  issuer: string;
  /** The expected `aud` claim (one of them, if the token carries several). */
  audience: string;
  /**
   * The time to check `exp`/`nbf` against.
   * @default {new Date()}
   */
  currentDate?: Date;
  /**
   * Tolerated clock skew for `exp`, `nbf` and `iat`, in seconds.
   * @default {30}
   */
  clockToleranceSeconds?: number;
  /**
   * Accepted signature algorithms. Symmetric algorithms are never accepted.
   * @default {["ES256", "EdDSA"]}
   */
  algorithms?: string[];
  /**
   * The `fetch` used for a JWKS URL (tests, proxies). The fetched keys are
   * kept per `fetch` function: pass the same one on every call.
   * @default {globalThis.fetch}
   */
  fetch?: typeof fetch;
}

/** Remote key sets by URL, per `fetch` (a custom `fetch` gets key sets of its own). */
const remoteKeySets = new WeakMap<typeof fetch, Map<string, JWTVerifyGetKey>>();

function remoteKeySet(url: URL, fetchImpl: typeof fetch | undefined): JWTVerifyGetKey {
  const byFetch = fetchImpl ?? globalThis.fetch;
  let sets = remoteKeySets.get(byFetch);
  if (sets === undefined) remoteKeySets.set(byFetch, sets = new Map());
  let set = sets.get(url.href);
  if (set === undefined) {
    set = createRemoteJWKSet(url, {
      timeoutDuration: 5_000,
      cooldownDuration: 30_000,
      cacheMaxAge: 600_000,
      ...(fetchImpl ? { [customFetch]: fetchImpl } : {}),
    });
    sets.set(url.href, set);
  }
  return set;
}

/**
 * Verifies a ccgate access token: the signature first (ES256 or EdDSA, with
 * header `typ: at+jwt`), then the claims (`iss`, `aud`, `exp`, `nbf`, and the
 * presence of `sub`, `sid`, `jti`, `client_id`).
 *
 * @param token The compact JWT, as sent in `Authorization: Bearer`.
 * @param options Keys, expected issuer and audience, clock.
 * @returns The token's claims.
 * @throws {AccessTokenError} When any check fails; its `code` says which.
 *
 * @example Verify a token in your own service
 * ```ts
 * import { AccessTokenError, verifyAccessToken } from "@ccgate/client";
 *
 * try {
 *   await verifyAccessToken("not-a-jwt", {
 *     key: new URL("https://ccgate.example.com/.well-known/jwks.json"),
 *     issuer: "https://ccgate.example.com",
 *     audience: "ccgate",
 *   });
 * } catch (err) {
 *   if (err instanceof AccessTokenError) console.log(err.code); // "token_malformed"
 * }
 * ```
 */
export async function verifyAccessToken(
  token: string,
  options: VerifyAccessTokenOptions,
): Promise<AccessTokenClaims> {
  const key = options.key instanceof URL ? remoteKeySet(options.key, options.fetch) : options.key;
  let payload: JWTPayload;
  try {
    const verifyOptions = {
      algorithms: options.algorithms ?? ["ES256", "EdDSA"],
      typ: "at+jwt",
      issuer: options.issuer,
      audience: options.audience,
      currentDate: options.currentDate,
      clockTolerance: options.clockToleranceSeconds ?? 30,
      requiredClaims: ["sub", "exp", "iat", "jti", "sid", "client_id"],
    };
    payload = typeof key === "function"
      ? (await jwtVerify(token, key as JWTVerifyGetKey, verifyOptions)).payload
      : (await jwtVerify(token, key, verifyOptions)).payload;
  } catch (err) {
    throw toAccessTokenError(err, options.key instanceof URL);
  }
  return toClaims(payload);
}

function toClaims(payload: JWTPayload): AccessTokenClaims {
  const strings = (value: unknown, claim: string): string[] => {
    if (value === undefined) return [];
    if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value;
    throw new AccessTokenError(
      "token_claim_invalid",
      `"${claim}" claim must be an array of strings`,
    );
  };
  const string = (value: unknown, claim: string): string => {
    if (typeof value === "string" && value.length > 0) return value;
    throw new AccessTokenError(
      "token_claim_invalid",
      `"${claim}" claim must be a non-empty string`,
    );
  };
  const optional = (value: unknown, claim: string): string | undefined =>
    value === undefined ? undefined : string(value, claim);
  return {
    iss: string(payload.iss, "iss"),
    sub: string(payload.sub, "sub"),
    aud: payload.aud as string | string[],
    exp: payload.exp as number,
    iat: payload.iat as number,
    jti: string(payload.jti, "jti"),
    sid: string(payload.sid, "sid"),
    client_id: string(payload.client_id, "client_id"),
    tid: optional(payload.tid, "tid"),
    name: optional(payload.name, "name"),
    email: optional(payload.email, "email"),
    roles: strings(payload.roles, "roles"),
    groups: strings(payload.groups, "groups"),
  };
}

function toAccessTokenError(err: unknown, remote: boolean): AccessTokenError {
  if (err instanceof AccessTokenError) return err;
  const cause = { cause: err };
  if (err instanceof errors.JWTExpired) {
    return new AccessTokenError("token_expired", '"exp" claim timestamp check failed', cause);
  }
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === "nbf") {
      return new AccessTokenError(
        "token_not_yet_valid",
        '"nbf" claim timestamp check failed',
        cause,
      );
    }
    if (err.claim === "typ") {
      return new AccessTokenError(
        "token_type_invalid",
        'Token header "typ" must be "at+jwt"',
        cause,
      );
    }
    return new AccessTokenError("token_claim_invalid", `"${err.claim}" claim check failed`, cause);
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return new AccessTokenError("token_signature_invalid", "Signature verification failed", cause);
  }
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) {
    return new AccessTokenError(
      "token_key_unknown",
      "No verification key matches the token",
      cause,
    );
  }
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) {
    return new AccessTokenError(
      "token_algorithm_not_allowed",
      "Token signature algorithm is not allowed",
      cause,
    );
  }
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) {
    return new AccessTokenError("token_keys_unavailable", "Cannot fetch verification keys", cause);
  }
  if (err instanceof errors.JOSEError) {
    return new AccessTokenError("token_malformed", "Token is not a valid JWT", cause);
  }
  if (err instanceof TypeError && remote) {
    // fetch's failure to reach the JWKS.
    return new AccessTokenError("token_keys_unavailable", "Cannot fetch verification keys", cause);
  }
  if (err instanceof TypeError) {
    // A key that cannot check this signature (the header names another algorithm than the key's).
    return new AccessTokenError("token_signature_invalid", "Signature verification failed", cause);
  }
  return new AccessTokenError("token_malformed", "Token is not a valid JWT", cause);
}
