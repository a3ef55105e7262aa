import type { TokenMinuteKeys } from "./counter_keys_for.ts";
import type { CounterKey, SharedCounters } from "./shared_counters.ts";
import type { MinuteCounts } from "./sliding_minute.ts";

/**
 * A per-minute limit's counts in this minute and the previous one, as the
 * sliding minute reads them (`slidingCount`): tokens counted less those
 * credited back (a prompt Bedrock counted smaller than its estimate).
 *
 * @param counters The counters, as this instance knows them.
 * @param keys The limit's counters of this minute and the previous one (and their credits).
 * @param minuteStartsAt When this minute started, ms since the epoch.
 * @param now Current time.
 * @returns The two minutes' counts and how far into this one `now` is.
 *
 * @example
 * ```ts ignore
 * const used = slidingCount(minuteCounts(counters, rate, minute.startsAt, now));
 * ```
 */
export function minuteCounts(
  counters: SharedCounters,
  keys: { key: CounterKey; previous: CounterKey } & Partial<TokenMinuteKeys>,
  minuteStartsAt: number,
  now: Date,
): MinuteCounts {
  const count = (key: CounterKey, credited: CounterKey | undefined) =>
    Math.max(0, counters.settled(key) - (credited ? counters.settled(credited) : 0));
  return {
    previous: count(keys.previous, keys.previousCredited),
    current: count(keys.key, keys.credited),
    elapsedMs: now.getTime() - minuteStartsAt,
  };
}
