/**
 * Settings that start fine but are wrong in production, checked by the
 * server entry points (`main.ts`, `gateway/main.ts`, `auth/main.ts`).
 *
 * @module
 */

/** What {@linkcode checkProductionSettings} is given. */
export interface ProductionSettings {
  /** Whether this is production (`CCGATE_ENV=production` or Deno Deploy). */
  production: boolean;
  /** `CCGATE_KV_PATH`, when set. */
  kvPath?: string;
  /**
   * Whether this entry point serves `/metrics`, and its `CCGATE_METRICS_TOKEN`:
   * `{ token: undefined }` is an open `/metrics`; leave unset where there is none.
   */
  metrics?: { token?: string };
}

/** What is wrong: a setting to refuse (one line) and warnings to log once. */
export interface ProductionSettingsReport {
  /** `Invalid setting …: …`, when the start must stop. */
  error?: string;
  /** Warnings, each a one-line message. */
  warnings: string[];
}

/**
 * Checks the settings that are fine in development and wrong in production.
 * `CCGATE_KV_PATH=:memory:` is refused: every restart would lose the signing
 * keys (every issued token stops verifying), the sessions and refresh tokens,
 * the revocations and the usage ledger, and no two instances would share
 * them — there is no production use for it, so a warning nobody reads until
 * the outage is not enough. An unset `CCGATE_METRICS_TOKEN` is a warning:
 * `/metrics` is then open to anyone who can reach the instance, which is
 * fine behind a private network but should be a decision.
 *
 * @param settings Production or not, the KV path, the metrics token.
 * @returns The error to stop with, if any, and the warnings.
 *
 * @example
 * ```ts
 * const report = checkProductionSettings({ production: true, kvPath: ":memory:" });
 * console.assert(report.error?.startsWith("Invalid setting CCGATE_KV_PATH:"));
 * ```
 */
export function checkProductionSettings(settings: ProductionSettings): ProductionSettingsReport {
  const report: ProductionSettingsReport = { warnings: [] };
  if (!settings.production) return report;
  if (settings.kvPath === ":memory:") {
    report.error =
      'Invalid setting CCGATE_KV_PATH: ":memory:" is not allowed in production (signing keys, sessions and the usage ledger would be lost at every restart and differ between instances); use a file path or a KV Connect URL';
  }
  if (settings.metrics !== undefined && (settings.metrics.token ?? "") === "") {
    report.warnings.push(
      "CCGATE_METRICS_TOKEN is not set: /metrics is open to anyone who can reach this instance; set it so scrapers must send it",
    );
  }
  return report;
}
