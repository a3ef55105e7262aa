import type { Context, ErrorHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import {
  type AnthropicErrorType,
  AuthenticationError,
  AuthUnavailableError,
  BudgetExceededError,
  GatewayError,
  RequestOverBudgetError,
} from "./errors.ts";
import type { GatewayMetrics } from "./gateway_metrics.ts";
import type { Log } from "./log.ts";
import { anthropicErrorBody } from "./anthropic_error_body.ts";
import { bedrockExceptionOf } from "./bedrock_exception_of.ts";
import { errorShapeOf } from "./error_shape.ts";
import { openAiErrorBody } from "./openai_error_body.ts";
import { SampledLog } from "./sampled_log.ts";

/** Most "credentials refused" log lines per reason and second; the metric counts every refusal. */
export const AUTH_REFUSED_LOG_PER_SECOND = 10;

/** Options of {@linkcode onError}. */
export interface OnErrorOptions {
  /** Clock of the "credentials refused" log sampling, milliseconds. @default Date.now */
  now?: () => number;
  /** Most "credentials refused" lines per reason and second. @default {AUTH_REFUSED_LOG_PER_SECOND} */
  authLogPerSecond?: number;
}

const STATUS_TYPES: Record<number, AnthropicErrorType> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  504: "timeout_error",
  529: "overloaded_error",
};

/**
 * The one place errors become HTTP responses: a {@linkcode GatewayError}
 * answers with its status, type and headers; anything else is a 500
 * `api_error` with a generic message (the details go to the log, never to the
 * client). The body has the shape the path's clients expect
 * (`errorShapeOf`): Anthropic's, OpenAI's, or Bedrock's (`{"message"}` with
 * `x-amzn-ErrorType`).
 *
 * A refused credential, or one that could not be checked for want of the
 * auth service's keys (`token_keys_unavailable`, a 503), is counted in
 * `ccgate_auth_refused_total{reason}`
 * (exactly) and logged as "credentials refused" at most
 * `authLogPerSecond` times per reason and second (any client can send bad
 * credentials as fast as it likes); the next line written says how many were
 * `suppressed`.
 *
 * @param log Where errors are logged.
 * @param metrics Where refused credentials are counted.
 * @param options The clock and rate of the "credentials refused" lines.
 * @returns The handler.
 */
export function onError(
  log: Log,
  metrics?: GatewayMetrics,
  options: OnErrorOptions = {},
): ErrorHandler {
  const refusals = new SampledLog(log, {
    perInterval: options.authLogPerSecond ?? AUTH_REFUSED_LOG_PER_SECOND,
    intervalMs: 1_000,
    now: options.now ?? Date.now,
  });
  return function onError(err, c) {
    const requestId = c.get("requestId");
    if (err instanceof AuthenticationError || err instanceof AuthUnavailableError) {
      // Never the credential itself; an expired token is Claude Code's normal cue to refresh.
      metrics?.increment("ccgate_auth_refused_total", { reason: err.reason });
      refusals.write(err.reason, {
        level: err.reason === "token_expired" ? "info" : "warn",
        msg: "credentials refused",
        request_id: requestId,
        reason: err.reason,
        method: c.req.method,
        path: c.req.path.slice(0, 200),
      });
    }
    if (err instanceof GatewayError) {
      // A call the client's leaving aborted is no upstream failure.
      // Unavailable keys are logged (sampled) with the refused credentials above.
      if (
        err.status >= 500 && !(err instanceof AuthUnavailableError) && !c.req.raw.signal.aborted
      ) {
        log({
          level: "warn",
          msg: "upstream failure",
          request_id: requestId,
          code: err.code,
          status: err.status,
          cause: causeName(err.cause),
        });
      }
      for (const [name, value] of Object.entries(err.headers)) c.header(name, value);
      return _reply(c, err.status, err.type, err.message, _bedrockCause(err));
    }
    if (err instanceof HTTPException) {
      const status = err.status;
      const type = STATUS_TYPES[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
      return _reply(c, status, type, err.message || "Request failed");
    }
    log({
      level: "error",
      msg: "unhandled error",
      request_id: requestId,
      error: err instanceof Error ? err.name : typeof err,
      detail: err instanceof Error ? err.message : undefined,
    });
    return _reply(c, 500, "api_error", "Internal error");
  };
}

function _reply(
  c: Context,
  status: number,
  type: AnthropicErrorType,
  message: string,
  cause?: string,
): Response {
  const requestId = c.get("requestId");
  switch (errorShapeOf(c.req.path)) {
    case "openai":
      return c.json(openAiErrorBody(type, message), status as 400);
    case "bedrock": {
      const e = bedrockExceptionOf(status, type, cause);
      c.header("x-amzn-errortype", e.name);
      if (requestId) c.header("x-amzn-requestid", requestId);
      return c.json({ message }, e.status as 400);
    }
    default:
      return c.json(anthropicErrorBody(type, message, requestId), status as 400);
  }
}

/**
 * The Bedrock exception a gateway error is answered as on the Bedrock-native routes (by name):
 * Bedrock's own when it caused the error; for a budget that only its reset can free
 * (`x-should-retry: false`), or that the request alone is larger than, Bedrock's quota error, 400
 * `ServiceQuotaExceededException`, which the AWS SDKs do not retry, where they retry every 429 (the
 * JS SDK's retry classifies any 429 as throttling and ignores `x-should-retry`; Anthropic's SDKs,
 * Claude Code's included, obey it).
 */
function _bedrockCause(err: GatewayError): string | undefined {
  if (
    (err instanceof BudgetExceededError && err.headers["x-should-retry"] === "false") ||
    err instanceof RequestOverBudgetError
  ) {
    return "ServiceQuotaExceededException";
  }
  if (err instanceof AuthUnavailableError) return "ServiceUnavailableException";
  return causeName(err.cause);
}

function causeName(cause: unknown): string | undefined {
  return cause instanceof Error ? cause.name : undefined;
}
