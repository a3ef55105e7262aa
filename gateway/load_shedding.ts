import type { MiddlewareHandler } from "hono";
import { OverloadedError, ShuttingDownError } from "./errors.ts";
import type { GatewayLifecycle } from "./gateway_lifecycle.ts";

/**
 * Refuses work early, before the body is read: while draining, every request
 * but `GET`/`HEAD` gets 529 with `connection: close`; at the concurrency
 * limit, 529 with `retry-after`. Probes (`/healthz`, `/readyz`) still answer.
 *
 * @param lifecycle The instance's lifecycle.
 * @returns The middleware.
 */
export function loadShedding(lifecycle: GatewayLifecycle): MiddlewareHandler {
  return async function loadShedding(c, next) {
    const method = c.req.method;
    if (method !== "GET" && method !== "HEAD") {
      if (lifecycle.draining) throw new ShuttingDownError();
      if (lifecycle.saturated) {
        throw new OverloadedError("This gateway instance is at its concurrency limit; retry", 1);
      }
    }
    await next();
  };
}
