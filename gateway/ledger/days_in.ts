import { dayOf } from "./ledger_entry.ts";

/** Longest day range a query may span. */
export const MAX_QUERY_DAYS = 366;

/**
 * Every day from `from` to `to`, inclusive.
 *
 * @param from First day, `YYYY-MM-DD`.
 * @param to Last day, `YYYY-MM-DD`.
 * @returns The days, or `undefined` when the range is invalid or longer than {@linkcode MAX_QUERY_DAYS}.
 *
 * @example
 * ```ts
 * import { daysIn } from "./days_in.ts";
 * console.assert(daysIn("2026-11-29", "2026-12-01")?.length === 3);
 * ```
 */
export function daysIn(from: string, to: string): string[] | undefined {
  const day = /^\d{4}-\d{2}-\d{2}$/;
  if (!day.test(from) || !day.test(to)) return undefined;
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) return undefined;
  const n = (end - start) / 86_400_000 + 1;
  if (n > MAX_QUERY_DAYS) return undefined;
  return Array.from({ length: n }, (_, i) => dayOf(new Date(start + i * 86_400_000)));
}
