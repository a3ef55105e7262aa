/**
 * Compares two secrets in time that depends only on their length, not on
 * where they first differ. Pure.
 *
 * @param a One string.
 * @param b The other.
 * @returns Whether they are equal.
 *
 * @example
 * ```ts
 * import { timingSafeEqual } from "./timing_safe_equal.ts";
 * console.assert(timingSafeEqual("s3cret", "s3cret") && !timingSafeEqual("s3cret", "s3creT"));
 * ```
 */
export function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
