import type { SigningKeys } from "./signing_keys.ts";

/** Who a ccgate access token is for: a snapshot of the Entra identity at sign-in. */
export interface AccessTokenIdentity {
  /** Entra object id (`oid`): the stable user id, the token's `sub`. */
  sub: string;
  /** Entra tenant id. */
  tid: string;
  /** Display name; display only. */
  name?: string;
  /** E-mail or preferred username; display only, never authorized on. */
  email?: string;
  /** App roles, for policy. */
  roles: string[];
  /** Group object ids, for policy. */
  groups: string[];
}

/** Options of {@linkcode issueAccessToken}. */
export interface IssueAccessTokenOptions {
  /** `iss`: the auth service's public URL. */
  issuer: string;
  /** `aud`: what the gateway expects. */
  audience: string;
  /** `client_id`: the OAuth client the session belongs to (the Entra `azp`). */
  clientId: string;
  /** `sid`: the ccgate session. */
  sessionId: string;
  /** Lifetime in seconds. */
  ttlSeconds: number;
  /** Issue time. */
  now: Date;
}

/** An issued ccgate access token. */
export interface IssuedAccessToken {
  /** The compact JWT. */
  accessToken: string;
  /** Its `exp`, as a date. */
  expiresAt: Date;
  /** Its `jti`. */
  jti: string;
}

/**
 * Issues a ccgate access token (RFC 9068 JWT profile): claims `iss`, `aud`,
 * `sub`, `client_id`, `iat`, `exp`, `jti`, `sid`, `tid`, `name`, `email`,
 * `roles`, `groups`, signed by the key ring's current key with header
 * `typ: at+jwt`.
 *
 * @param keys The signing key ring.
 * @param identity The user, as snapshotted at sign-in.
 * @param options Issuer, audience, client, session, lifetime and time.
 * @returns The token, its expiry and its `jti`.
 *
 * @example Issue a token for a session
 * ```ts
 * import { issueAccessToken, openSigningKeys } from "@ccgate/auth";
 *
 * using kv = await Deno.openKv(":memory:");
 * const keys = await openSigningKeys(kv);
 * const { expiresAt } = await issueAccessToken(
 *   keys,
 *   { sub: "oid-1", tid: "tenant-1", roles: ["ccgate.user"], groups: [] },
 *   {
 *     issuer: "https://ccgate.example.com",
 *     audience: "ccgate",
 *     clientId: "cli-app-id",
 *     sessionId: crypto.randomUUID(),
 *     ttlSeconds: 3600,
 *     now: new Date("2026-01-01T00:00:00Z"),
 *   },
 * );
 * console.log(expiresAt.toISOString()); // "2026-01-01T01:00:00.000Z"
 * ```
 */
export async function issueAccessToken(
  keys: SigningKeys,
  identity: AccessTokenIdentity,
  options: IssueAccessTokenOptions,
): Promise<IssuedAccessToken> {
  const iat = Math.floor(options.now.getTime() / 1000);
  const exp = iat + Math.max(1, Math.floor(options.ttlSeconds));
  const jti = crypto.randomUUID();
  const accessToken = await keys.sign({
    iss: options.issuer,
    aud: options.audience,
    sub: identity.sub,
    client_id: options.clientId,
    iat,
    exp,
    jti,
    sid: options.sessionId,
    tid: identity.tid,
    ...(identity.name !== undefined ? { name: identity.name } : {}),
    ...(identity.email !== undefined ? { email: identity.email } : {}),
    roles: identity.roles,
    groups: identity.groups,
  });
  return { accessToken, expiresAt: new Date(exp * 1000), jti };
}
