import { z } from "zod";

/**
 * The longest delay a JavaScript timer keeps (2^31 − 1 ms, about 24.8 days):
 * `setTimeout` and `setInterval` fire a longer one after 1 ms instead.
 */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * The zod schema of a setting in milliseconds that ends up in a timer: a
 * whole number from `min` to {@linkcode MAX_TIMER_MS}, or `fallback` when
 * unset. Shared by the gateway's and the auth service's settings.
 *
 * @param fallback The value when the variable is unset.
 * @param min The smallest value accepted.
 * @returns The schema.
 *
 * @example
 * ```ts
 * import { millisecondsSetting } from "./milliseconds_setting.ts";
 * console.assert(millisecondsSetting(5_000, 1).parse(undefined) === 5_000);
 * console.assert(!millisecondsSetting(5_000, 1).safeParse("3000000000").success);
 * ```
 */
export const millisecondsSetting = (fallback: number, min: 0 | 1) =>
  z.string().regex(/^\d+$/, "must be a whole number").transform((v) =>
    Math.min(Number(v), Number.MAX_VALUE)
  ).pipe(
    z.number().max(
      MAX_TIMER_MS,
      `must be at most ${MAX_TIMER_MS} (about 24.8 days, the longest timer delay)`,
    ).min(min, `must be at least ${min}`),
  ).optional().transform((v) => v ?? fallback).meta({
    accepts: `whole number of milliseconds, ${min} to ${MAX_TIMER_MS}`,
  });
