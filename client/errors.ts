/**
 * Errors thrown by the ccgate client library. Every error has a stable
 * {@linkcode CcgateErrorCode} so callers can `switch (err.code)`; messages
 * name the claim or the step that failed and never contain a token.
 *
 * @module
 */

/** The stable codes of {@linkcode AccessTokenError}. */
export type AccessTokenErrorCode =
  | "token_malformed"
  | "token_signature_invalid"
  | "token_key_unknown"
  | "token_algorithm_not_allowed"
  | "token_type_invalid"
  | "token_expired"
  | "token_not_yet_valid"
  | "token_claim_invalid"
  /**
   * The verification keys could not be fetched (the key source is down or
   * answered something else than a key set): the server's fault, retry later.
   */
  | "token_keys_unavailable"
  /** The token's session was revoked (`isRevoked` of `verifyAccessToken` said so). */
  | "session_revoked";

/** The stable codes of {@linkcode TokenRequestError}. */
export type TokenRequestErrorCode =
  /** The grant (refresh token, subject token) was refused: sign in again. */
  | "grant_invalid"
  /** The server refused the request for another reason (RFC 6749 §5.2 error). */
  | "request_rejected"
  /** The server answered something that is not a valid token response. */
  | "response_invalid"
  /**
   * The server could not be reached, did not answer in time, failed (HTTP 5xx) or
   * cut its answer off: worth retrying later.
   */
  | "network_error"
  /** The server asked to slow down (HTTP 429): retry after `retryAfterSeconds`, when given. */
  | "rate_limited"
  /** The endpoint is not an http(s) URL: a configuration error, not worth retrying. */
  | "endpoint_invalid"
  /** The caller's `signal` aborted the request. */
  | "aborted";

/** The stable codes of {@linkcode SignInError}. */
export type SignInErrorCode =
  /** The user declined the sign-in. */
  | "sign_in_declined"
  /** The device code expired before the user finished. */
  | "sign_in_expired"
  /** No answer arrived within the time allowed. */
  | "sign_in_timeout"
  /** The loopback redirect carried a `state` other than the one sent. */
  | "sign_in_state_mismatch"
  /** Entra refused the request or answered something invalid. */
  | "sign_in_failed"
  /** The Azure CLI is not installed or not signed in. */
  | "azure_cli_unavailable"
  /** Entra ID could not be reached or did not answer in time: worth retrying later. */
  | "network_error";

/** The stable codes of {@linkcode TokenStoreError}. */
export type TokenStoreErrorCode =
  /** The store's backend (keychain tool, secret service) is not available. */
  | "store_unavailable"
  /** Reading or writing the store failed. */
  | "store_failed"
  /** The store holds something that is not a session. */
  | "store_corrupt"
  /** Another process held the store's lock for too long. */
  | "store_lock_timeout";

/** The stable codes of {@linkcode SessionError}. */
export type SessionErrorCode =
  /** There is no usable session: the user must sign in. */
  "login_required";

/** The stable codes of {@linkcode RevocationFeedError}. */
export type RevocationFeedErrorCode =
  /**
   * The feed could not be read: unreachable, no answer in time, HTTP 5xx or
   * 429, or a feed reader of your own threw. Worth retrying (the next refresh does).
   */
  | "network_error"
  /**
   * The feed answered something that is not a page of it (HTTP 4xx or a
   * redirect, not JSON, no `revocations` list, a `next` that is not a string
   * or does not move on), or the auth service's metadata names no feed: a
   * configuration error, retrying does not help.
   */
  | "response_invalid";

/** Every stable code an error of this library can carry. */
export type CcgateErrorCode =
  | AccessTokenErrorCode
  | TokenRequestErrorCode
  | SignInErrorCode
  | TokenStoreErrorCode
  | SessionErrorCode
  | RevocationFeedErrorCode;

/**
 * Base class of every error this library throws.
 *
 * @example Branch on the code
 * ```ts
 * import { CcgateError } from "@ccgate/client";
 *
 * function describe(err: unknown): string {
 *   return err instanceof CcgateError ? err.code : "unexpected";
 * }
 * console.log(describe(new Error("x")));
 * ```
 */
export class CcgateError extends Error {
  /** A stable, machine-readable code. */
  readonly code: CcgateErrorCode;

  /**
   * Creates the instance.
   *
   * @param code The stable code.
   * @param message A sentence for humans; never contains a token.
   * @param options The underlying cause, if any.
   */
  constructor(code: CcgateErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * A ccgate access token was rejected: malformed, wrongly signed, expired,
 * for another audience, and so on. Means "ask for a new token" (HTTP 401),
 * never "you are not allowed" (403) — except `token_keys_unavailable`: the
 * verification keys could not be fetched, the server's fault, so answer 503
 * and retry later.
 *
 * @example Tell an expired token from a forged one
 * ```ts
 * import { AccessTokenError } from "@ccgate/client";
 *
 * const err = new AccessTokenError("token_expired", '"exp" claim timestamp check failed');
 * console.log(err.code === "token_expired"); // true
 * ```
 */
export class AccessTokenError extends CcgateError {
  /** Which failure this is. */
  declare readonly code: AccessTokenErrorCode;

  /**
   * Creates the instance.
   *
   * @param code Which check failed.
   * @param message What failed, naming the claim; never the token.
   * @param options The underlying cause, if any.
   */
  constructor(code: AccessTokenErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}

/** Details of a {@linkcode TokenRequestError}. */
export interface TokenRequestErrorOptions extends ErrorOptions {
  /** The RFC 6749 §5.2 `error` value the server sent, if any. */
  oauthError?: string;
  /** The HTTP status of the answer, if one arrived. */
  status?: number;
  /** With `rate_limited`: the seconds the server asked to wait (its `retry-after`), if it said. */
  retryAfterSeconds?: number;
}

/**
 * A request to the ccgate auth service's token or revocation endpoint failed.
 * `grant_invalid` means the session is over (sign in again); `network_error`
 * is worth retrying later, `rate_limited` after `retryAfterSeconds`;
 * `endpoint_invalid` (not an http(s) URL) and `aborted` (the caller's signal)
 * are not.
 *
 * @example Decide whether to ask the user to sign in again
 * ```ts
 * import { TokenRequestError } from "@ccgate/client";
 *
 * const err = new TokenRequestError("grant_invalid", "Refresh token was refused", {
 *   oauthError: "invalid_grant",
 *   status: 400,
 * });
 * console.log(err.code === "grant_invalid"); // true
 * ```
 */
export class TokenRequestError extends CcgateError {
  /** Which failure this is. */
  declare readonly code: TokenRequestErrorCode;
  /** The RFC 6749 §5.2 `error` value the server sent, if any. */
  readonly oauthError?: string;
  /** The HTTP status of the answer, if one arrived. */
  readonly status?: number;
  /** With `rate_limited`: the seconds the server asked to wait, if it said. */
  readonly retryAfterSeconds?: number;

  /**
   * Creates the instance.
   *
   * @param code What kind of failure.
   * @param message What failed; never contains a token.
   * @param options The OAuth error, HTTP status and cause, if any.
   */
  constructor(code: TokenRequestErrorCode, message: string, options?: TokenRequestErrorOptions) {
    super(code, message, options);
    this.oauthError = options?.oauthError;
    this.status = options?.status;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

/**
 * Signing in with Entra ID did not produce a token: declined, expired, timed
 * out, a forged redirect, or no usable Azure CLI.
 *
 * @example Tell the user what happened
 * ```ts
 * import { SignInError } from "@ccgate/client";
 *
 * const err = new SignInError("sign_in_declined", "Sign-in was declined");
 * console.log(err.code); // "sign_in_declined"
 * ```
 */
export class SignInError extends CcgateError {
  /** Which failure this is. */
  declare readonly code: SignInErrorCode;

  /**
   * Creates the instance.
   *
   * @param code What went wrong.
   * @param message A sentence for humans; never contains a token or code.
   * @param options The underlying cause, if any.
   */
  constructor(code: SignInErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}

/**
 * A {@linkcode TokenStore} could not read or write the session.
 *
 * @example Fall back to a file when the keychain is missing
 * ```ts
 * import { TokenStoreError } from "@ccgate/client";
 *
 * const err = new TokenStoreError("store_unavailable", "Cannot use the Secret Service: secret-tool is not installed");
 * console.log(err.code === "store_unavailable"); // true
 * ```
 */
export class TokenStoreError extends CcgateError {
  /** Which failure this is. */
  declare readonly code: TokenStoreErrorCode;

  /**
   * Creates the instance.
   *
   * @param code What went wrong.
   * @param message A sentence for humans; never contains a token.
   * @param options The underlying cause, if any.
   */
  constructor(code: TokenStoreErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}

/**
 * A {@linkcode TokenSession} cannot produce an access token without the user:
 * there is no session, or the auth service ended it.
 *
 * @example Ask the user to sign in
 * ```ts
 * import { SessionError } from "@ccgate/client";
 *
 * const err = new SessionError("login_required", "Not signed in");
 * if (err.code === "login_required") console.log("run `ccgate login`");
 * ```
 */
export class SessionError extends CcgateError {
  /** Which failure this is. */
  declare readonly code: SessionErrorCode;

  /**
   * Creates the instance.
   *
   * @param code Why the session is unusable.
   * @param message A sentence for humans.
   * @param options The underlying cause, if any.
   */
  constructor(code: SessionErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}

/**
 * The auth service's revocation feed could not be read
 * ({@linkcode RevokedSessions}): the sessions known so far keep answering.
 * `network_error` is worth retrying; `response_invalid` (the URL does not
 * serve the feed) is not.
 *
 * @example Tell an outage from a wrong URL
 * ```ts
 * import { RevocationFeedError } from "@ccgate/client";
 *
 * const err = new RevocationFeedError(
 *   "response_invalid",
 *   'Cannot read the revocation feed at "https://ccgate.example.com/oauth/revocations": HTTP 404',
 * );
 * console.log(err.code === "network_error" ? "retry later" : "check the URL");
 * ```
 */
export class RevocationFeedError extends CcgateError {
  /** Which failure this is. */
  declare readonly code: RevocationFeedErrorCode;

  /**
   * Creates the instance.
   *
   * @param code What kind of failure.
   * @param message What failed, naming the feed's URL (origin and path only).
   * @param options The underlying cause, if any.
   */
  constructor(code: RevocationFeedErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}
