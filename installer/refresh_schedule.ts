/** What every refresh schedule runs and how often. */
export interface RefreshSchedule {
  /** The installed ccgate program (absolute path). */
  program: string;
  /**
   * Minutes between runs: well inside the access token lifetime (`ccgate
   * refresh` renews a token that expires within 15 minutes).
   * @default {10}
   */
  intervalMinutes?: number;
  /** A log file (launchd writes the program's output there). */
  logPath?: string;
  /**
   * Environment the refresh needs and would not get from the OS's scheduler
   * (`CCGATE_CONFIG_DIR`, `CCGATE_STORE`, `XDG_CONFIG_HOME` as set at install),
   * pinned in the unit, crontab line, plist or task. Keys in this order.
   */
  env?: Record<string, string>;
}

/** The variables `ccgate refresh` reads to find its session, pinned when set at install. */
export const REFRESH_ENV_NAMES = ["CCGATE_CONFIG_DIR", "CCGATE_STORE", "XDG_CONFIG_HOME"] as const;

/** The default interval between refreshes, minutes. */
export const DEFAULT_REFRESH_INTERVAL_MINUTES = 10;

/** The schedule's name everywhere (unit, label, task). */
export const REFRESH_JOB_NAME = "ccgate-refresh";
/** The launchd label. */
export const LAUNCHD_LABEL = "com.ccgate.refresh";
