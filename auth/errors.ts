/**
 * Every error the auth service throws on purpose. Each class carries a stable
 * {@linkcode AuthErrorCode} (for logs, tests and `switch`), the RFC 6749 §5.2
 * `error` value the client sees and the HTTP status; one `onError` turns them
 * into `{"error":"invalid_grant","error_description":"..."}`.
 *
 * Messages name the claim, the parameter or the state that failed and never
 * contain a token.
 *
 * @module
 */

/** The `error` values of RFC 6749 §5.2, RFC 8693 §2.2.2, RFC 7009 and RFC 6750 this service answers with. */
export type OAuthErrorValue =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "invalid_target"
  | "unsupported_grant_type"
  | "unsupported_token_type"
  | "invalid_token"
  | "insufficient_scope"
  | "not_found"
  | "temporarily_unavailable"
  | "server_error";

/** Why an Entra ID access token was not accepted for exchange. */
export type EntraTokenErrorCode =
  | "entra_token_malformed"
  | "entra_token_graph"
  | "entra_token_v1"
  | "entra_token_id_token"
  | "entra_token_algorithm"
  | "entra_token_tenant_not_allowed"
  | "entra_token_issuer"
  | "entra_token_audience"
  | "entra_token_scope"
  | "entra_token_client_not_allowed"
  | "entra_token_app_only"
  | "entra_token_expired"
  | "entra_token_not_yet_valid"
  | "entra_token_key_unknown"
  | "entra_token_signature"
  | "entra_token_keys_unavailable"
  | "entra_token_claim_missing"
  | "entra_token_claim_invalid"
  | "entra_token_role_missing"
  | "entra_token_group_missing"
  | "entra_token_groups_overage";

/** Every stable code of this package's errors. */
export type AuthErrorCode =
  | EntraTokenErrorCode
  | "config_invalid"
  | "request_invalid"
  | "parameter_too_long"
  | "route_not_found"
  | "method_not_allowed"
  | "grant_type_unsupported"
  | "target_invalid"
  | "client_invalid"
  | "refresh_token_invalid"
  | "refresh_token_expired"
  | "refresh_token_reused"
  | "session_revoked"
  | "session_expired"
  | "admin_unauthenticated"
  | "admin_forbidden"
  | "session_not_found"
  | "rate_limited"
  | "signing_keys_unavailable"
  | "revocation_feed_unavailable";

/** Fields every auth error carries besides its code and message. */
export interface AuthErrorInit extends ErrorOptions {
  /** The OAuth `error` value in the response body. */
  error: OAuthErrorValue;
  /** HTTP status. */
  status: number;
  /** Extra response headers (`retry-after`, `www-authenticate`). */
  headers?: Record<string, string>;
}

/**
 * Base class of every error the auth service throws on purpose.
 *
 * @example Branch on the code
 * ```ts
 * import { AuthError, InvalidGrantError } from "@ccgate/auth";
 *
 * const err: unknown = new InvalidGrantError("session_revoked", "The session was revoked");
 * if (err instanceof AuthError) console.log(err.code, err.error, err.status);
 * ```
 */
export class AuthError extends Error {
  /** Stable machine-readable code. */
  readonly code: AuthErrorCode;
  /** The OAuth `error` value. */
  readonly error: OAuthErrorValue;
  /** HTTP status. */
  readonly status: number;
  /** Extra response headers. */
  readonly headers: Record<string, string>;

  /**
   * @param code Stable code.
   * @param message Sentence for humans, used as `error_description`; never contains a token.
   * @param init OAuth error value, status, headers, cause.
   */
  constructor(code: AuthErrorCode, message: string, init: AuthErrorInit) {
    super(message, init);
    this.name = new.target.name;
    this.code = code;
    this.error = init.error;
    this.status = init.status;
    this.headers = init.headers ?? {};
  }
}

/** The configuration is invalid; the message names the setting. */
export class ConfigError extends AuthError {
  /** @param message `Invalid setting KEY: reason`. */
  constructor(message: string) {
    super("config_invalid", message, { error: "server_error", status: 500 });
  }
}

/** A request parameter is missing, repeated or malformed: 400 `invalid_request`. */
export class InvalidRequestError extends AuthError {
  /**
   * @param message What is wrong with which parameter.
   * @param options The cause, if any.
   */
  constructor(message: string, options?: ErrorOptions) {
    super("request_invalid", message, { ...options, error: "invalid_request", status: 400 });
  }
}

/**
 * A client-supplied id (a user's `sub`, a session's `sid`) is longer than the
 * limit: 400 `invalid_request`. Ids become parts of KV keys, which Deno KV
 * caps at 2 KiB, so they are bounded before any KV call.
 */
export class ParameterTooLongError extends AuthError {
  /**
   * @param name What was too long, as the client knows it (`Query parameter "sub"`).
   * @param limit The most characters allowed.
   */
  constructor(name: string, limit: number) {
    super("parameter_too_long", `${name} must be at most ${limit} characters`, {
      error: "invalid_request",
      status: 400,
    });
  }
}

/**
 * No route of the auth service has this path: 404 `invalid_request`
 * (RFC 6749 §5.2 has no value for an unknown endpoint; see `route_not_found.ts`).
 * The message never repeats the path, which may hold a token.
 */
export class RouteNotFoundError extends AuthError {
  constructor() {
    super(
      "route_not_found",
      "No such endpoint on the auth service: see /.well-known/oauth-authorization-server for its endpoints",
      { error: "invalid_request", status: 404 },
    );
  }
}

/** The path exists but not for this method: 405 `invalid_request` with `Allow`. */
export class MethodNotAllowedError extends AuthError {
  /**
   * @param method The request's method.
   * @param allow The methods the path answers (not empty).
   */
  constructor(method: string, allow: readonly string[]) {
    super(
      "method_not_allowed",
      `Method ${JSON.stringify(method.slice(0, 20))} is not allowed here: use ${allow.join(", ")}`,
      { error: "invalid_request", status: 405, headers: { allow: allow.join(", ") } },
    );
  }
}

/**
 * The Entra ID access token offered for exchange was rejected. RFC 8693
 * §2.2.2 asks for `invalid_request` when the subject token is invalid or
 * unacceptable by policy; `code` says which check failed.
 */
export class EntraTokenError extends AuthError {
  declare readonly code: EntraTokenErrorCode;

  /**
   * @param code Which check failed.
   * @param message What failed, naming the claim; never the token.
   * @param options The cause, if any.
   */
  constructor(code: EntraTokenErrorCode, message: string, options?: ErrorOptions) {
    // Entra's keys being unreachable is our outage, not the client's mistake.
    const unavailable = code === "entra_token_keys_unavailable";
    super(code, message, {
      ...options,
      error: unavailable ? "temporarily_unavailable" : "invalid_request",
      status: unavailable ? 503 : 400,
    });
  }
}

/** The grant type is not supported: 400 `unsupported_grant_type`. */
export class UnsupportedGrantTypeError extends AuthError {
  /** @param grantType The offered grant type (not a secret). */
  constructor(grantType: string) {
    super(
      "grant_type_unsupported",
      `Unsupported grant_type ${
        JSON.stringify(grantType.slice(0, 100))
      }: use urn:ietf:params:oauth:grant-type:token-exchange or refresh_token`,
      { error: "unsupported_grant_type", status: 400 },
    );
  }
}

/** The requested `audience` or `resource` is not this service: 400 `invalid_target`. */
export class InvalidTargetError extends AuthError {
  /** @param message Which target was refused. */
  constructor(message: string) {
    super("target_invalid", message, { error: "invalid_target", status: 400 });
  }
}

/** The `client_id` does not match the token's client: 401 `invalid_client`. */
export class InvalidClientError extends AuthError {
  /** @param message Which client was refused. */
  constructor(message: string) {
    super("client_invalid", message, { error: "invalid_client", status: 401 });
  }
}

/** A refresh token cannot be used: 400 `invalid_grant`. */
export class InvalidGrantError extends AuthError {
  /**
   * @param code Why: unknown, expired, reused, or the session is revoked or expired.
   * @param message A sentence that helps (for example "sign in again with `ccgate login`").
   */
  constructor(
    code:
      | "refresh_token_invalid"
      | "refresh_token_expired"
      | "refresh_token_reused"
      | "session_revoked"
      | "session_expired",
    message: string,
  ) {
    super(code, message, { error: "invalid_grant", status: 400 });
  }
}

/** The admin API was called without a valid ccgate access token: 401 `invalid_token`. */
export class AdminAuthenticationError extends AuthError {
  /**
   * @param message What is wrong with the credential.
   * @param options The cause, if any.
   */
  constructor(message: string, options?: ErrorOptions) {
    super("admin_unauthenticated", message, {
      ...options,
      error: "invalid_token",
      status: 401,
      headers: { "www-authenticate": 'Bearer realm="ccgate", error="invalid_token"' },
    });
  }
}

/** The caller lacks the ccgate admin role: 403 `insufficient_scope`. */
export class AdminForbiddenError extends AuthError {
  /**
   * @param role The role that is required.
   * @param message What is refused, when it is not the role (e.g. the admin's tenant).
   */
  constructor(role: string, message?: string) {
    super(
      "admin_forbidden",
      message ?? `Cannot use the admin API: the app role ${JSON.stringify(role)} is required`,
      {
        error: "insufficient_scope",
        status: 403,
        headers: { "www-authenticate": 'Bearer realm="ccgate", error="insufficient_scope"' },
      },
    );
  }
}

/** No such session: 404. */
export class SessionNotFoundError extends AuthError {
  constructor() {
    super("session_not_found", "No such session", { error: "not_found", status: 404 });
  }
}

/** Too many requests from one address or one user: 429 with `retry-after`. */
export class RateLimitedError extends AuthError {
  /**
   * @param scope Which limit was hit.
   * @param retryAfterSeconds When to try again.
   */
  constructor(scope: "ip" | "user", retryAfterSeconds: number) {
    super(
      "rate_limited",
      `Too many token requests from this ${
        scope === "ip" ? "address" : "user"
      }: retry after ${retryAfterSeconds} s`,
      {
        error: "temporarily_unavailable",
        status: 429,
        headers: { "retry-after": String(retryAfterSeconds) },
      },
    );
  }
}

/** The signing key ring in KV cannot be read or written. */
export class SigningKeysError extends AuthError {
  /**
   * @param message What failed.
   * @param options The cause, if any.
   */
  constructor(message: string, options?: ErrorOptions) {
    super("signing_keys_unavailable", message, { ...options, error: "server_error", status: 503 });
  }
}

/** The revocation feed cannot be read from KV: 503 with `retry-after`. */
export class RevocationFeedUnavailableError extends AuthError {
  /**
   * @param options The cause, if any.
   */
  constructor(options?: ErrorOptions) {
    super("revocation_feed_unavailable", "Cannot read the revocation feed: try again shortly", {
      ...options,
      error: "temporarily_unavailable",
      status: 503,
      headers: { "retry-after": "1" },
    });
  }
}
