import type { z } from "zod";
import { InvalidRequestError } from "./errors.ts";

/**
 * Validates a parsed request body (or query) with a zod schema; the first
 * problem becomes a 400 naming the field, e.g. `messages.0.role: Invalid
 * option: expected one of "user"|"assistant"|"system"`. Values are never
 * echoed.
 *
 * @param schema The schema.
 * @param value The parsed JSON.
 * @returns The validated value.
 * @throws {InvalidRequestError} On the first problem.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { parseBody } from "./parse_body.ts";
 * const body = parseBody(z.object({ model: z.string() }), { model: "m" });
 * console.assert(body.model === "m");
 * ```
 */
export function parseBody<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.map(String).join(".");
  const message = issue.code === "invalid_type" && _at(value, issue.path) === undefined
    ? "Field required"
    : issue.message;
  throw new InvalidRequestError(path === "" ? message : `${path}: ${message}`);
}

function _at(value: unknown, path: readonly PropertyKey[]): unknown {
  let at = value;
  for (const key of path) {
    if (at === null || typeof at !== "object") return undefined;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at;
}
