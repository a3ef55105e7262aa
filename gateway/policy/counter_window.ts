/** Length of a minute window, ms. */
export const MINUTE_MS = 60_000;

/** A counting window: a UTC day, a UTC calendar month, or a minute. */
export type WindowKind = "daily" | "monthly" | "minute";

/** One window: its id (part of the counter key) and when it ends. */
export interface CounterWindow {
  /** `2026-11-30`, `2026-11` or `m29419200` (minutes since the epoch). */
  id: string;
  /** End of the window, ms since the epoch. */
  endsAt: number;
}

/**
 * The window of a kind that contains `at`, in UTC. Pure.
 *
 * @param kind Day, month or minute.
 * @param at The instant.
 * @returns The window's id and end.
 *
 * @example
 * ```ts
 * import { counterWindow } from "./counter_window.ts";
 * const day = counterWindow("daily", new Date("2026-11-30T23:59:00Z"));
 * console.assert(day.id === "2026-11-30" && day.endsAt === Date.parse("2026-12-01T00:00:00Z"));
 * ```
 */
export function counterWindow(kind: WindowKind, at: Date): CounterWindow {
  const t = at.getTime();
  if (kind === "minute") {
    const minute = Math.floor(t / MINUTE_MS);
    return { id: `m${minute}`, endsAt: (minute + 1) * MINUTE_MS };
  }
  const y = at.getUTCFullYear();
  const m = at.getUTCMonth();
  const month = `${y}-${String(m + 1).padStart(2, "0")}`;
  if (kind === "monthly") return { id: month, endsAt: Date.UTC(y, m + 1, 1) };
  const d = at.getUTCDate();
  return { id: `${month}-${String(d).padStart(2, "0")}`, endsAt: Date.UTC(y, m, d + 1) };
}
