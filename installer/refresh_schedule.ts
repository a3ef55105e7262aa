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
}

/** The default interval between refreshes, minutes. */
export const DEFAULT_REFRESH_INTERVAL_MINUTES = 10;

/** The schedule's name everywhere (unit, label, task). */
export const REFRESH_JOB_NAME = "ccgate-refresh";
/** The launchd label. */
export const LAUNCHD_LABEL = "com.ccgate.refresh";
