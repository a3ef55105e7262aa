import type { MiddlewareHandler } from "hono";
import type { GatewayLifecycle, MemoryReservation } from "./gateway_lifecycle.ts";

declare module "hono" {
  interface ContextVariableMap {
    /**
     * The memory held for this request since before its body was read; its
     * Bedrock call takes it over (`BedrockInvocation.reservation`).
     */
    memoryReservation: MemoryReservation;
  }
}

const DIGITS = /^\d+$/;

/**
 * Refuses work early, before the body is read: while draining, every request
 * but `GET`/`HEAD` gets 529 with `connection: close`; at the concurrency
 * limit or the memory budget, 529 with `retry-after`; a body too large for
 * the memory budget on its own, 413. Otherwise it reserves the memory the
 * request is estimated to need from its `content-length`, so that a burst of
 * large requests is refused before their bodies are read; the request's
 * Bedrock call takes the reservation over, or it is given back when the
 * handler is done. Probes (`/healthz`, `/readyz`) still answer.
 *
 * @param lifecycle The instance's lifecycle.
 * @returns The middleware.
 */
export function loadShedding(lifecycle: GatewayLifecycle): MiddlewareHandler {
  return async function loadShedding(c, next) {
    const method = c.req.method;
    if (method === "GET" || method === "HEAD") return await next();
    const declared = c.req.header("content-length");
    const reservation = lifecycle.reserve(
      declared !== undefined && DIGITS.test(declared) ? Number(declared) : 0,
    );
    c.set("memoryReservation", reservation);
    try {
      await next();
    } finally {
      reservation.release();
    }
  };
}
