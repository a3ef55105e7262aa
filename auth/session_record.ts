/**
 * What the session store keeps in KV: a session, the record of each of its
 * refresh tokens, and the check that a session may still be used.
 *
 * @module
 */
import { InvalidGrantError } from "./errors.ts";
import type { AccessTokenIdentity } from "./issue_access_token.ts";

/** A ccgate session as stored in KV under `["sessions", sid]`. */
export interface SessionRecord {
  /** Session id. */
  sid: string;
  /** The user and the claims snapshotted at sign-in. */
  identity: AccessTokenIdentity;
  /** OAuth client the session was created for (Entra `azp`). */
  clientId: string;
  /** Created, ms since the epoch. */
  createdAt: number;
  /** Absolute expiry, ms since the epoch. */
  expiresAt: number;
  /** Revoked at, ms since the epoch, or `null`. */
  revokedAt: number | null;
  /** Why it was revoked (`logout`, `admin`, `refresh_token_reuse`). */
  revokedReason?: string;
  /** SHA-256 of the current refresh token (the only one that rotates). */
  refreshHash: string;
  /** How many rotations so far. */
  generation: number;
}

/** A refresh token's record under `["refresh", sha256]`. Never holds a usable token. */
export interface RefreshRecord {
  /** Session id. */
  sid: string;
  /** Rotation generation this token belongs to. */
  generation: number;
  /** `active` until used once, then `rotated`. */
  state: "active" | "rotated";
  /** Issued, ms since the epoch. */
  createdAt: number;
  /** Same as the session's absolute expiry. */
  expiresAt: number;
  /** When it was rotated. */
  rotatedAt?: number;
  /** The successor sealed under a key derived from this token (see `refresh_token.ts`). */
  sealedSuccessor?: string;
}

/**
 * Checks that a session may still be used to refresh: neither revoked nor
 * past its absolute expiry.
 *
 * @param session The session as read from KV.
 * @param at Current time, ms since the epoch.
 * @throws {InvalidGrantError} `session_revoked` or `session_expired`.
 */
export function assertSessionUsable(session: SessionRecord, at: number): void {
  if (session.revokedAt !== null) {
    throw new InvalidGrantError(
      "session_revoked",
      "The session was revoked: sign in again with `ccgate login`",
    );
  }
  if (at >= session.expiresAt) {
    throw new InvalidGrantError(
      "session_expired",
      "The session has expired: sign in again with `ccgate login`",
    );
  }
}
