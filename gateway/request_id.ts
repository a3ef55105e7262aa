import type { MiddlewareHandler } from "hono";

declare module "hono" {
  interface ContextVariableMap {
    /** This request's id: returned as `request-id` and in error bodies and logs. */
    requestId: string;
  }
}

/**
 * A request id: `req_`, the time in milliseconds since the epoch as 12 hex
 * digits, then 12 random hex digits (48 bits: two requests in the same
 * millisecond collide once in about 10^14 pairs). Ids sort by time: the usage
 * ledger keys its write-ahead log and its entries by request id, so KV
 * appends them in order instead of writing a page anywhere in the day's
 * entries for each, and a day's entries list in the order they came. Pure
 * but for the random part.
 *
 * @param at When the request arrived.
 * @returns The id.
 *
 * @example
 * ```ts
 * import { newRequestId } from "./request_id.ts";
 * const id = newRequestId(new Date("2026-12-01T00:00:00Z"));
 * console.assert(id.startsWith("req_01a22ee6b000") && id.length === 28);
 * ```
 */
export function newRequestId(at: Date): string {
  let id = "req_" + at.getTime().toString(16).padStart(12, "0");
  for (const byte of crypto.getRandomValues(new Uint8Array(6))) {
    id += byte.toString(16).padStart(2, "0");
  }
  return id;
}

/**
 * Gives every request an id ({@linkcode newRequestId}), returned in the
 * `request-id` header. An incoming id is never trusted: it could be used to
 * forge or collide log records.
 *
 * @param now The clock.
 */
export function requestId(now: () => Date): MiddlewareHandler {
  return async function requestId(c, next) {
    const id = newRequestId(now());
    c.set("requestId", id);
    c.header("request-id", id);
    await next();
  };
}
