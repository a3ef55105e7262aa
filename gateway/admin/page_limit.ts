import { InvalidRequestError } from "../errors.ts";

/**
 * The `limit` query parameter of a paged admin listing: `fallback` when
 * absent or empty, else an integer from 1 to `max`.
 *
 * @param text The parameter as given.
 * @param fallback The page size without one.
 * @param max The largest page size.
 * @returns The page size.
 * @throws {InvalidRequestError} When it is not an integer from 1 to `max`.
 *
 * @example
 * ```ts
 * import { pageLimit } from "./page_limit.ts";
 * console.assert(pageLimit(undefined, 1_000, 10_000) === 1_000);
 * console.assert(pageLimit("50", 1_000, 10_000) === 50);
 * ```
 */
export function pageLimit(text: string | undefined, fallback: number, max: number): number {
  if (text === undefined || text === "") return fallback;
  const limit = Number(text);
  if (!/^\d{1,6}$/.test(text) || limit < 1 || limit > max) {
    throw new InvalidRequestError(`limit: an integer from 1 to ${max}`);
  }
  return limit;
}
