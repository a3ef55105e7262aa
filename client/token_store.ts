/** A signed-in ccgate session, as a {@linkcode TokenStore} keeps it. */
export interface StoredSession {
  /** The ccgate URL (the auth service's issuer) this session belongs to. */
  issuer: string;
  /** The auth service's token endpoint, kept so refreshing needs no discovery. */
  tokenEndpoint: string;
  /** The auth service's revocation endpoint, if it has one. */
  revocationEndpoint?: string;
  /** The `client_id` sent with refresh and revocation requests, if any. */
  clientId?: string;
  /** The current ccgate access token. */
  accessToken: string;
  /** When the access token expires, in milliseconds since the epoch. */
  expiresAt: number;
  /** The current refresh token (rotated on every refresh). */
  refreshToken?: string;
}

/**
 * Where a session lives between processes: the OS keychain, a 0600 file, or
 * memory. Writes replace the whole session at once: a reader never sees half
 * of one.
 */
export interface TokenStore {
  /** A stable name for the kind of store (`"file"`, `"macos-keychain"`, ...), for `status`. */
  readonly kind: string;
  /** Where exactly the session lives, for humans (a path, a keychain service name). */
  readonly location: string;
  /** Returns the stored session, or `undefined` when there is none. */
  load(): Promise<StoredSession | undefined>;
  /** Replaces the stored session. */
  save(session: StoredSession): Promise<void>;
  /** Forgets the stored session; does nothing when there is none. */
  clear(): Promise<void>;
}
