import type { MiddlewareHandler } from "hono";
import { RequestLimitError } from "./errors.ts";

/**
 * Refuses requests whose headers (names and values, as received) add up to
 * more than `maxBytes`, with 400 `invalid_request_error`. Beyond about
 * 64 KiB the HTTP server itself answers 400 before any handler runs.
 *
 * @param maxBytes The limit.
 * @returns The middleware.
 */
export function headerLimit(maxBytes: number): MiddlewareHandler {
  return async function headerLimit(c, next) {
    let size = 0;
    for (const [name, value] of c.req.raw.headers) size += name.length + value.length + 4;
    if (size > maxBytes) {
      throw new RequestLimitError(
        `Request headers are ${size} bytes, over this gateway's limit of ${maxBytes}`,
      );
    }
    await next();
  };
}
