/**
 * When the entry points (`main.ts`, `gateway/main.ts`) run the retention job
 * (`runRetentionJob`) with `Deno.cron`.
 *
 * Hourly, not daily: one run deletes at most 500 atomic operations of up to
 * 1,000 keys (`applyRetention`'s bounds), about 166,000 ledger entries with
 * their two index keys. A fleet that writes more than that in a day (5,000
 * developers at 40 requests each) would fall further behind every day with a
 * daily run, and the ledger would grow without bound; hourly runs delete up
 * to 24 times that a day. A run with nothing due costs one short `kv.list`
 * per kind of data (each bounded below the first kept day), and the runs
 * after the day's first usually find nothing.
 *
 * @module
 */

/** The cron job's name (shown by Deno Deploy). */
export const RETENTION_CRON_NAME = "ccgate data retention";

/** The cron job's schedule: every hour at minute 17 (UTC). */
export const RETENTION_CRON_SCHEDULE = "17 * * * *";
