import type { ErrorHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { AuthError } from "./errors.ts";

/** Patterns of the tokens this service handles: JWTs and ccgate refresh tokens. */
const TOKEN_PATTERNS = [/eyJ[\w-]*\.[\w-]*\.[\w-]*/g, /ccgr_[\w-]+/g];

/**
 * Removes anything shaped like a token from a string before it is logged.
 *
 * @param text Any text.
 * @returns The text with tokens replaced by `[redacted]`.
 */
export function redactTokens(text: string): string {
  return TOKEN_PATTERNS.reduce((out, pattern) => out.replace(pattern, "[redacted]"), text);
}

/**
 * The one place errors become responses, in RFC 6749 §5.2 shape:
 * `{"error":"invalid_grant","error_description":"..."}` with
 * `Cache-Control: no-store`. An {@linkcode AuthError} answers with its own
 * status, error and headers; anything else is a 500 `server_error` whose
 * details go only to the log (with anything token-shaped redacted, in the
 * path too: an unknown path may carry a token).
 *
 * @param log Structured log sink.
 * @returns The Hono error handler.
 */
export function onError(log: (record: object) => void): ErrorHandler {
  return function onError(err, c) {
    c.header("cache-control", "no-store");
    c.header("pragma", "no-cache");
    if (err instanceof AuthError) {
      log({
        level: err.status >= 500 ? "warn" : "info",
        msg: "auth request refused",
        path: _logPath(c.req.path),
        code: err.code,
        status: err.status,
        cause: err.cause instanceof Error ? err.cause.name : undefined,
      });
      for (const [name, value] of Object.entries(err.headers)) c.header(name, value);
      return c.json({ error: err.error, error_description: err.message }, err.status as 400);
    }
    if (err instanceof HTTPException && err.status < 500) {
      return c.json(
        { error: "invalid_request", error_description: "The request could not be read" },
        err.status,
      );
    }
    log({
      level: "error",
      msg: "unhandled error in the auth service",
      path: _logPath(c.req.path),
      error: err instanceof Error ? err.name : typeof err,
      detail: err instanceof Error ? redactTokens(err.message) : undefined,
    });
    return c.json({ error: "server_error", error_description: "Internal error" }, 500);
  };
}

/** A request path fit for a log line: tokens redacted, at most 200 characters. */
function _logPath(path: string): string {
  return redactTokens(path).slice(0, 200);
}
