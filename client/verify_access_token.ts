import { errors, type JWTPayload, jwtVerify, type JWTVerifyGetKey } from "jose";
import { AccessTokenError } from "./errors.ts";
import { RemoteKeySet } from "./remote_key_set.ts";
import { _safeCause } from "./_safe_cause.ts";

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
   * in-process key ring, or {@linkcode RemoteKeySet.key}), a public
   * `CryptoKey`, or the URL of the auth service's JWKS
   * (`https://<ccgate>/.well-known/jwks.json`; plain `http:` only to a
   * loopback host), fetched through a {@linkcode RemoteKeySet} kept per URL
   * with its defaults. A resolver that throws (other than jose's "no
   * matching key") means the keys are unavailable: `token_keys_unavailable`.
   */
  key: AccessTokenKey;
  /** The expected `iss` claim, exactly. */
  issuer: string;
  /** The expected `aud` claim (one of them, if the token carries several). */
  audience: string;
  /**
   * The time to check `exp`, `nbf` and `iat` against.
   * @default {new Date()}
   */
  currentDate?: Date;
  /**
   * Tolerated clock skew, in seconds: a token is refused once `exp` is this
   * far past, and while `nbf` or `iat` is more than this far ahead.
   * @default {30}
   */
  clockToleranceSeconds?: number;
  /**
   * Accepted signature algorithms, among the asymmetric ones (`ES256`,
   * `ES384`, `ES512`, `EdDSA`, `Ed25519`, `RS256`, `RS384`, `RS512`, `PS256`,
   * `PS384`, `PS512`). Any other, `HS256` and every symmetric algorithm
   * included, is refused with a `TypeError` before the token is looked at:
   * a verifier that accepts an HMAC can be fooled with its own public key.
   * @default {["ES256", "EdDSA"]}
   */
  algorithms?: string[];
  /**
   * Whether a session was revoked (signed out, or ended by an admin): a
   * token of a revoked session is refused with `session_revoked`. Without
   * it, an access token stays valid until its `exp` (1 hour by default)
   * after its session is revoked; the gateway refuses it within seconds. Pass
   * a {@linkcode RevokedSessions}' `isRevoked`, which keeps the auth service's
   * revocation feed in memory; see the package README. Asked after every
   * other check passed; what it throws is thrown as it is.
   */
  isRevoked?: (sid: string) => boolean | Promise<boolean>;
  /**
   * The `fetch` used for a JWKS URL (tests, proxies). The fetched keys are
   * kept per `fetch` function: pass the same one on every call.
   * @default {globalThis.fetch}
   */
  fetch?: typeof fetch;
}

/** Remote key sets by URL, per `fetch` (a custom `fetch` gets key sets of its own). */
const remoteKeySets = new WeakMap<typeof fetch, Map<string, RemoteKeySet>>();

function remoteKeySet(url: URL, fetchImpl: typeof fetch | undefined): RemoteKeySet {
  const byFetch = fetchImpl ?? globalThis.fetch;
  let sets = remoteKeySets.get(byFetch);
  if (sets === undefined) remoteKeySets.set(byFetch, sets = new Map());
  let set = sets.get(url.href);
  if (set === undefined) {
    set = new RemoteKeySet(url, { fetch: fetchImpl });
    sets.set(url.href, set);
  }
  return set;
}

/** The asymmetric JWS algorithms `algorithms` may name. */
const ASYMMETRIC = new Set([
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
]);

function checkAlgorithms(algorithms: string[]): string[] {
  if (!Array.isArray(algorithms) || algorithms.length === 0) {
    throw new TypeError(
      "Cannot verify access tokens: `algorithms` must list at least one algorithm",
    );
  }
  for (const alg of algorithms) {
    if (!ASYMMETRIC.has(alg)) {
      throw new TypeError(
        `Cannot verify access tokens with the algorithm ${
          JSON.stringify(alg)
        }: only asymmetric algorithms are accepted (${[...ASYMMETRIC].join(", ")})`,
      );
    }
  }
  return algorithms;
}

/**
 * A resolver's own failure (its key store unreachable) is an unavailable
 * key, not a bad token; jose's "no key for this token" errors keep their meaning.
 */
function guarded(resolver: AccessTokenKeyResolver): JWTVerifyGetKey {
  return async (header, input) => {
    try {
      return await resolver(header, input) as Awaited<ReturnType<JWTVerifyGetKey>>;
    } catch (err) {
      if (
        err instanceof AccessTokenError || err instanceof errors.JWKSNoMatchingKey ||
        err instanceof errors.JWKSMultipleMatchingKeys || err instanceof errors.JOSENotSupported ||
        err instanceof errors.JOSEAlgNotAllowed
      ) {
        throw err;
      }
      throw new AccessTokenError("token_keys_unavailable", "Cannot get the verification key", {
        cause: _safeCause(err),
      });
    }
  };
}

/**
 * Verifies a ccgate access token: the signature first (ES256 or EdDSA by
 * default, never a symmetric algorithm, with header `typ: at+jwt`), then the
 * claims (`iss`, `aud`, `exp`, `nbf`, `iat` not in the future, and the
 * presence of `sub`, `sid`, `jti`, `client_id`), then, with `isRevoked`,
 * the session.
 *
 * A token stays valid until its `exp` after its session is revoked (signed
 * out, or ended by an admin) unless you pass `isRevoked`: the gateway
 * refuses such tokens within seconds, a service verifying with this function
 * alone does not.
 *
 * A failure of the key source (a JWKS that answers 5xx, HTML or a redirect,
 * or cannot be reached; a key resolver that throws) is
 * `token_keys_unavailable`: the server's fault, worth retrying (answer 503),
 * not a reason to sign in again.
 *
 * @param token The compact JWT, as sent in `Authorization: Bearer`.
 * @param options Keys, expected issuer and audience, clock, revocation check.
 * @returns The token's claims.
 * @throws {AccessTokenError} When a check fails; its `code` says which. Its
 * `cause` never holds the token's claims.
 * @throws {TypeError} When `algorithms` names an algorithm that is not
 * asymmetric, or `key` is a plain `http:` URL to a host other than loopback.
 *
 * @example Verify the bearer token of an incoming request
 * ```ts
 * import { AccessTokenError, verifyAccessToken } from "@ccgate/client";
 *
 * async function handle(request: Request): Promise<Response> {
 *   const token = request.headers.get("authorization")?.replace(/^Bearer /i, "") ?? "";
 *   try {
 *     const claims = await verifyAccessToken(token, {
 *       key: new URL("https://ccgate.example.com/.well-known/jwks.json"),
 *       issuer: "https://ccgate.example.com",
 *       audience: "ccgate",
 *     });
 *     return new Response(`Hello ${claims.sub}`);
 *   } catch (err) {
 *     if (!(err instanceof AccessTokenError)) throw err;
 *     if (err.code === "token_keys_unavailable") {
 *       return new Response(null, { status: 503, headers: { "retry-after": "5" } });
 *     }
 *     return new Response(null, { status: 401, headers: { "www-authenticate": "Bearer" } });
 *   }
 * }
 *
 * const response = await handle(new Request("https://api.example.com/", {
 *   headers: { authorization: "Bearer not-a-jwt" },
 * }));
 * console.log(response.status); // 401
 * ```
 */
export async function verifyAccessToken(
  token: string,
  options: VerifyAccessTokenOptions,
): Promise<AccessTokenClaims> {
  const algorithms = checkAlgorithms(options.algorithms ?? ["ES256", "EdDSA"]);
  const key = options.key instanceof URL
    ? remoteKeySet(options.key, options.fetch).key
    : options.key;
  const currentDate = options.currentDate ?? new Date();
  const tolerance = options.clockToleranceSeconds ?? 30;
  let payload: JWTPayload;
  try {
    const verifyOptions = {
      algorithms,
      typ: "at+jwt",
      issuer: options.issuer,
      audience: options.audience,
      currentDate,
      clockTolerance: tolerance,
      requiredClaims: ["sub", "exp", "iat", "jti", "sid", "client_id"],
    };
    payload = typeof key === "function"
      ? (await jwtVerify(token, guarded(key), verifyOptions)).payload
      : (await jwtVerify(token, key, verifyOptions)).payload;
  } catch (err) {
    throw toAccessTokenError(err);
  }
  if ((payload.iat as number) > currentDate.getTime() / 1000 + tolerance) {
    throw new AccessTokenError(
      "token_not_yet_valid",
      '"iat" claim timestamp check failed (it is in the future)',
    );
  }
  const claims = toClaims(payload);
  if (options.isRevoked !== undefined && await options.isRevoked(claims.sid)) {
    throw new AccessTokenError("session_revoked", "The session of the token was revoked");
  }
  return claims;
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

function toAccessTokenError(err: unknown): AccessTokenError {
  if (err instanceof AccessTokenError) return err;
  const cause = { cause: _safeCause(err) };
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
  if (err instanceof TypeError) {
    // A key that cannot check this signature (the header names another algorithm than the key's).
    return new AccessTokenError("token_signature_invalid", "Signature verification failed", cause);
  }
  return new AccessTokenError("token_malformed", "Token is not a valid JWT", cause);
}
