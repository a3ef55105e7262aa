/**
 * Every error the gateway throws on purpose. Each class has a stable `code`,
 * the HTTP `status` and the Anthropic error `type` it maps to; one `onError`
 * turns them into `{"type":"error","error":{"type":...,"message":...}}`.
 *
 * @module
 */

import type { AccessTokenErrorCode } from "@ccgate/client";

/** Anthropic API error types (https://docs.anthropic.com/en/api/errors). */
export type AnthropicErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "request_too_large"
  | "rate_limit_error"
  | "api_error"
  | "timeout_error"
  | "overloaded_error";

/** Stable codes of gateway errors. */
export type GatewayErrorCode =
  | "invalid_request"
  | "invalid_json"
  | "unauthenticated"
  | "auth_unavailable"
  | "forbidden"
  | "model_not_found"
  | "route_not_found"
  | "user_not_found"
  | "method_not_allowed"
  | "request_too_large"
  | "request_limit"
  | "upstream_error"
  | "upstream_timeout"
  | "overloaded"
  | "shutting_down"
  | "model_not_allowed"
  | "max_tokens_over_limit"
  | "rate_limited"
  | "concurrency_limited"
  | "memory_share_exceeded"
  | "budget_exceeded"
  | "request_over_budget";

/** Fields every gateway error carries besides its message. */
export interface GatewayErrorInit extends ErrorOptions {
  /** HTTP status to answer with. */
  status: number;
  /** Anthropic error type for the body. */
  type: AnthropicErrorType;
  /** Extra response headers (`retry-after`, `www-authenticate`, ...). */
  headers?: Record<string, string>;
}

/** Base class: a failure with a stable code and an HTTP mapping. */
export class GatewayError extends Error {
  /** Stable machine-readable code. */
  readonly code: GatewayErrorCode;
  /** HTTP status. */
  readonly status: number;
  /** Anthropic error type. */
  readonly type: AnthropicErrorType;
  /** Extra response headers. */
  readonly headers: Record<string, string>;

  constructor(code: GatewayErrorCode, message: string, init: GatewayErrorInit) {
    super(message, init);
    this.name = new.target.name;
    this.code = code;
    this.status = init.status;
    this.type = init.type;
    this.headers = init.headers ?? {};
  }
}

/** The request is malformed: 400 invalid_request_error. */
export class InvalidRequestError extends GatewayError {
  constructor(message: string, options?: ErrorOptions) {
    super("invalid_request", message, {
      ...options,
      status: 400,
      type: "invalid_request_error",
    });
  }
}

/**
 * The client closed the connection before its request body's end: a 400
 * nobody receives. The request record counts it as a client abort (499
 * `client_aborted`), not as bad input.
 */
export class IncompleteBodyError extends InvalidRequestError {
  constructor(options?: ErrorOptions) {
    super("Request body is incomplete: the connection closed before its end", options);
  }
}

/**
 * Why a credential was refused, as logged and counted
 * (`ccgate_auth_refused_total`): the credential's own problem, or the access
 * token check that failed (`token_expired`, `token_signature_invalid`, ...).
 */
export type AuthRefusal =
  | "credentials_missing"
  | "credentials_malformed"
  | "credentials_conflicting"
  | "credentials_invalid"
  | "session_revoked"
  | AccessTokenErrorCode;

/**
 * The credential is missing or invalid: always 401, so Claude Code re-runs its apiKeyHelper;
 * `shouldRetry: false` adds `x-should-retry: false` (a request with no token at all).
 */
export class AuthenticationError extends GatewayError {
  /** Why it was refused. */
  readonly reason: AuthRefusal;

  constructor(
    message: string,
    options?: ErrorOptions & {
      error?: "invalid_request" | "invalid_token";
      reason?: AuthRefusal;
      shouldRetry?: false;
    },
  ) {
    super("unauthenticated", message, {
      ...options,
      status: 401,
      type: "authentication_error",
      headers: {
        "www-authenticate": `Bearer realm="ccgate", error="${options?.error ?? "invalid_token"}"`,
        ...(options?.shouldRetry === false ? { "x-should-retry": "false" } : {}),
      },
    });
    this.reason = options?.reason ?? "credentials_invalid";
  }
}

/**
 * The credential could not be checked because the auth service's signing
 * keys could not be fetched (its JWKS is down, or answers something else than
 * a key set): the gateway's side failed, not the credential. 503 `api_error`
 * with `retry-after` and `x-should-retry: true` (Claude Code's SDK retries it),
 * where a 401 would make Claude Code ask for a new token, and the user to sign
 * in again, to no avail. On the Bedrock-native routes:
 * `ServiceUnavailableException`.
 */
export class AuthUnavailableError extends GatewayError {
  /** As counted in `ccgate_auth_refused_total`. */
  readonly reason = "token_keys_unavailable" satisfies AuthRefusal;

  /**
   * @param message What failed, for the client.
   * @param retryAfterSeconds The `retry-after` to send.
   * @param options The underlying cause.
   */
  constructor(message: string, retryAfterSeconds: number, options?: ErrorOptions) {
    super("auth_unavailable", message, {
      ...options,
      status: 503,
      type: "api_error",
      headers: { "retry-after": String(retryAfterSeconds), "x-should-retry": "true" },
    });
  }
}

/** The requested model is unknown: 404 not_found_error naming it. */
export class ModelNotFoundError extends GatewayError {
  constructor(message: string, options?: ErrorOptions) {
    super("model_not_found", message, { ...options, status: 404, type: "not_found_error" });
  }
}

/** The route does not exist: 404 not_found_error. */
export class RouteNotFoundError extends GatewayError {
  constructor(method: string, path: string) {
    super("route_not_found", `Cannot ${method} ${JSON.stringify(path)}: no such route`, {
      status: 404,
      type: "not_found_error",
    });
  }
}

/** The route exists, not for this method: 405 invalid_request_error, with `Allow`. */
export class MethodNotAllowedError extends GatewayError {
  /**
   * @param method The request's method.
   * @param path The request's path.
   * @param allowed The methods the route answers.
   */
  constructor(method: string, path: string, allowed: readonly string[]) {
    super(
      "method_not_allowed",
      `Cannot ${method} ${JSON.stringify(path)}: it answers ${allowed.join(", ")}`,
      { status: 405, type: "invalid_request_error", headers: { allow: allowed.join(", ") } },
    );
  }
}

/** The request body is larger than allowed: 413 request_too_large. */
export class RequestTooLargeError extends GatewayError {
  /**
   * @param limitBytes The largest body accepted.
   * @param message What to say instead of the default `Request body exceeds <limit> bytes`.
   */
  constructor(limitBytes: number, message?: string) {
    super("request_too_large", message ?? `Request body exceeds ${limitBytes} bytes`, {
      status: 413,
      type: "request_too_large",
    });
  }
}

/** Bedrock failed; status, type and message come from the translation table. */
export class UpstreamError extends GatewayError {
  constructor(message: string, init: GatewayErrorInit) {
    super("upstream_error", message, init);
  }
}

/**
 * Bedrock sent what its API does not define (an answer or a stream event
 * that is not a JSON object): 502 api_error, before the first byte an HTTP
 * status, after it the stream's final error.
 */
export class MalformedUpstreamError extends UpstreamError {
  /** @param what What was malformed: `"a malformed stream event"`, `"a malformed response"`. */
  constructor(what: string) {
    super(`Bedrock sent ${what}`, { status: 502, type: "api_error" });
  }
}

/** A request exceeds a configured limit (headers, JSON depth, messages, tools): 400. */
export class RequestLimitError extends GatewayError {
  constructor(message: string) {
    super("request_limit", message, { status: 400, type: "invalid_request_error" });
  }
}

/** Which timeout fired. */
export type TimeoutKind = "first_byte" | "idle" | "total";

const TIMEOUT_MESSAGES: Record<TimeoutKind, string> = {
  first_byte: "Bedrock sent no first byte within",
  idle: "Bedrock sent nothing for",
  total: "The request did not finish within",
};

/**
 * A Bedrock call ran out of time: 504 timeout_error. Before the first byte a
 * `first_byte` timeout makes the gateway fail over; mid-stream any timeout
 * becomes a final `event: error`.
 */
export class UpstreamTimeoutError extends GatewayError {
  /** Which timeout fired. */
  readonly kind: TimeoutKind;

  constructor(kind: TimeoutKind, ms: number) {
    super("upstream_timeout", `${TIMEOUT_MESSAGES[kind]} ${ms} ms`, {
      status: 504,
      type: "timeout_error",
    });
    this.kind = kind;
  }
}

/** This instance sheds load (too many streams, or every upstream's circuit is open): 529. */
export class OverloadedError extends GatewayError {
  constructor(message: string, retryAfterSeconds?: number) {
    super("overloaded", message, {
      status: 529,
      type: "overloaded_error",
      headers: retryAfterSeconds === undefined ? {} : { "retry-after": String(retryAfterSeconds) },
    });
  }
}

/** The instance is shutting down: 529 for new requests, a final `event: error` for cut streams. */
export class ShuttingDownError extends GatewayError {
  constructor() {
    super("shutting_down", "The gateway is restarting; retry the request", {
      status: 529,
      type: "overloaded_error",
      headers: { connection: "close" },
    });
  }
}

/**
 * The policy does not allow this user the requested model: 404 not_found_error
 * naming both, as Anthropic answers a model the key cannot use. Not 403:
 * Claude Code takes a 403 for a bad credential, runs its apiKeyHelper again
 * and retries for minutes before it reports "Failed to authenticate"; a 404
 * ends the run at once with the message. Native routes:
 * `ResourceNotFoundException`.
 */
export class ModelNotAllowedError extends GatewayError {
  constructor(message: string) {
    super("model_not_allowed", message, { status: 404, type: "not_found_error" });
  }
}

/**
 * The Bedrock service tier the client asked for (`X-Amzn-Bedrock-Service-Tier`) is not one
 * the deployment allows (`CCGATE_BEDROCK_SERVICE_TIERS`): 403 permission_error.
 */
export class ServiceTierNotAllowedError extends GatewayError {
  constructor(tier: string, allowed: readonly string[]) {
    super(
      "forbidden",
      `The service tier "${tier}" is not allowed on this gateway; allowed: ${allowed.join(", ")}`,
      { status: 403, type: "permission_error" },
    );
  }
}

/** `max_tokens` is above the policy's limit and the policy refuses (not caps): 400. */
export class MaxTokensOverLimitError extends GatewayError {
  constructor(message: string) {
    super("max_tokens_over_limit", message, { status: 400, type: "invalid_request_error" });
  }
}

/** A 429 `rate_limit_error` the client should retry after `retryAfterSeconds`. */
function _retryLater(retryAfterSeconds: number): GatewayErrorInit {
  return {
    status: 429,
    type: "rate_limit_error",
    headers: { "retry-after": String(retryAfterSeconds), "x-should-retry": "true" },
  };
}

/** The user's (or group's) requests-per-minute limit is reached: 429 with `retry-after`. */
export class RateLimitedError extends GatewayError {
  constructor(message: string, retryAfterSeconds: number) {
    super("rate_limited", message, _retryLater(retryAfterSeconds));
  }
}

/** The user's (or group's) concurrent-request limit is reached: 429 with `retry-after`. */
export class ConcurrencyLimitedError extends GatewayError {
  constructor(message: string, retryAfterSeconds: number) {
    super("concurrency_limited", message, _retryLater(retryAfterSeconds));
  }
}

/**
 * The user's requests in flight already hold their share of this instance's
 * memory budget (`CCGATE_MEMORY_USER_PERCENT`): 429 with `retry-after`.
 */
export class MemoryShareExceededError extends GatewayError {
  constructor(message: string, retryAfterSeconds: number) {
    super("memory_share_exceeded", message, _retryLater(retryAfterSeconds));
  }
}

/**
 * A budget would be exceeded: 429 rate_limit_error naming the budget, with
 * `retry-after`. `x-should-retry` is `true` only when requests in flight hold
 * the reservation that blocks this one (it may free up in seconds); when
 * spent usage alone blocks it, it is `false` and `retry-after` points at the
 * budget's reset, so clients stop retrying at once.
 */
export class BudgetExceededError extends GatewayError {
  constructor(message: string, retryAfterSeconds: number, shouldRetry: boolean) {
    super("budget_exceeded", message, {
      status: 429,
      type: "rate_limit_error",
      headers: {
        "retry-after": String(retryAfterSeconds),
        "x-should-retry": shouldRetry ? "true" : "false",
      },
    });
  }
}

/**
 * The request's worst case alone (input estimate + `max_tokens` at the model's
 * price) is larger than a whole budget: it could not be admitted even with
 * nothing spent, so waiting for the budget's reset cannot help. 400
 * invalid_request_error with `x-should-retry: false` (the message says what
 * to change), where a 429 with `retry-after` until the reset would be retried
 * by clients that retry 429s whatever `x-should-retry` says.
 */
export class RequestOverBudgetError extends GatewayError {
  constructor(message: string) {
    super("request_over_budget", message, {
      status: 400,
      type: "invalid_request_error",
      headers: { "x-should-retry": "false" },
    });
  }
}

/** A setting is invalid (start-up stops): the message names it, `Invalid setting KEY: reason`. */
export class ConfigError extends Error {
  /** Stable code. */
  readonly code = "invalid_config";

  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** The server cannot listen where it was told to (the port is taken, or not permitted). */
export class ListenError extends Error {
  /** Stable code. */
  readonly code = "cannot_listen";

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ListenError";
  }
}

/** The policy file (`CCGATE_POLICY`) is invalid: the message names the file and the key path. */
export class PolicyFileError extends Error {
  /** Stable code. */
  readonly code = "invalid_policy";

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "PolicyFileError";
  }
}

/** The caller's token lacks the admin role that `/admin/*` requires: 403 permission_error. */
export class AdminRoleRequiredError extends GatewayError {
  constructor(role: string) {
    super("forbidden", `This API requires the "${role}" role in the access token`, {
      status: 403,
      type: "permission_error",
    });
  }
}

/**
 * The caller holds the admin role, but in a tenant that is not an admin
 * tenant (`CCGATE_ADMIN_TENANTS`), and the route covers every tenant (the
 * audit log, budget overrides). 403 permission_error.
 */
export class AdminTenantRequiredError extends GatewayError {
  constructor() {
    super(
      "forbidden",
      "This API covers every tenant: it requires an admin of an admin tenant (CCGATE_ADMIN_TENANTS)",
      { status: 403, type: "permission_error" },
    );
  }
}

/**
 * The caller holds the admin role, but their token has no tenant (`tid`)
 * and no tenant rule lets them reach every tenant: an admin outside
 * `CCGATE_ADMIN_TENANTS` sees their own tenant, which this token does not
 * name. 403 permission_error.
 */
export class AdminTenantUnknownError extends GatewayError {
  constructor() {
    super(
      "forbidden",
      'Cannot use the admin API: your access token names no tenant (no "tid" claim), and an admin outside CCGATE_ADMIN_TENANTS sees only their own tenant; get a new token with `ccgate refresh` (or sign in with `ccgate login`)',
      { status: 403, type: "permission_error" },
    );
  }
}

/**
 * An admin who sees their own tenant only asked for a user with no recent
 * request in that tenant (another tenant's user is answered the same, so
 * their existence is not disclosed): 404 not_found_error.
 */
export class AdminUserNotFoundError extends GatewayError {
  constructor(user: string) {
    super(
      "user_not_found",
      `Cannot find user ${
        JSON.stringify(user)
      }: no request of theirs in your tenant in the last 31 days`,
      { status: 404, type: "not_found_error" },
    );
  }
}
