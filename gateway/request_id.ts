import type { MiddlewareHandler } from "hono";

declare module "hono" {
  interface ContextVariableMap {
    /** This request's id: returned as `request-id` and in error bodies and logs. */
    requestId: string;
  }
}

/**
 * Gives every request an id (`req_` + 24 random hex characters), returned in
 * the `request-id` header. An incoming id is never trusted: it could be used
 * to forge or collide log records.
 */
export function requestId(): MiddlewareHandler {
  return async function requestId(c, next) {
    const bytes = crypto.getRandomValues(new Uint8Array(12));
    let id = "req_";
    for (const byte of bytes) id += byte.toString(16).padStart(2, "0");
    c.set("requestId", id);
    c.header("request-id", id);
    await next();
  };
}
