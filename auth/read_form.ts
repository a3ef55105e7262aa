import type { Context } from "hono";
import { InvalidRequestError } from "./errors.ts";

/**
 * Reads an `application/x-www-form-urlencoded` request body (RFC 6749 §3.2)
 * into a map, refusing repeated parameters (RFC 6749 §3.1).
 *
 * @param c The request context.
 * @returns The parameters.
 * @throws {InvalidRequestError} On another content type or a repeated parameter.
 */
export async function readForm(c: Context): Promise<Map<string, string>> {
  const contentType = c.req.header("content-type") ?? "";
  if (contentType.split(";")[0]!.trim().toLowerCase() !== "application/x-www-form-urlencoded") {
    throw new InvalidRequestError(
      "Cannot read the request: the body must be application/x-www-form-urlencoded",
    );
  }
  const params = new URLSearchParams(await c.req.text());
  const form = new Map<string, string>();
  for (const [name, value] of params) {
    if (form.has(name)) {
      throw new InvalidRequestError(
        `Cannot read the request: parameter ${JSON.stringify(name.slice(0, 64))} is repeated`,
      );
    }
    form.set(name, value);
  }
  return form;
}

/**
 * Reads a required form parameter.
 *
 * @param form The parameters.
 * @param name The parameter's name.
 * @returns Its non-empty value.
 * @throws {InvalidRequestError} When it is missing or empty.
 */
export function requireParam(form: Map<string, string>, name: string): string {
  const value = form.get(name);
  if (value === undefined || value === "") {
    throw new InvalidRequestError(`Missing parameter ${JSON.stringify(name)}`);
  }
  return value;
}
