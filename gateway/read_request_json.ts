import type { Context } from "hono";
import type { GatewayConfig } from "./config.ts";
import { readJsonBody } from "./read_json_body.ts";

/**
 * Reads an authenticated model request's JSON body (see `readJsonBody`),
 * within the memory budget: before the body is read, the request's
 * reservation (opened from `content-length` by the load-shedding middleware)
 * holds its estimate for the user, so that one user's requests cannot hold
 * more than their share; once the body is in, before it is parsed, it grows
 * when the body is larger than declared (or was not declared).
 *
 * @param c The request's context, after `authenticate`.
 * @param config Body size limit and nesting limit.
 * @returns The parsed object, its byte length and the UTF-8 bytes it was parsed from.
 * @throws {MemoryShareExceededError} 429 beyond the user's share of the memory budget.
 * @throws {OverloadedError} 529 beyond the memory budget.
 * @throws {RequestTooLargeError} 413 above the size limit, or too large for the memory budget.
 * @throws {InvalidRequestError} 400 when the body is not a JSON object.
 *
 * @example
 * ```ts ignore
 * const { value, raw } = await readRequestJson(c, deps.config);
 * ```
 */
export function readRequestJson(
  c: Context,
  config: Pick<GatewayConfig, "maxBodyBytes" | "limits">,
): ReturnType<typeof readJsonBody> {
  const reservation = c.get("memoryReservation");
  const claims = c.get("claims");
  if (reservation !== undefined && claims !== undefined) reservation.assign(claims.sub);
  return readJsonBody(c.req.raw, config.maxBodyBytes, {
    maxDepth: config.limits.maxJsonDepth,
    onBody: reservation && ((bytes) => reservation.grow(bytes)),
  });
}
