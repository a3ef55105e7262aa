import { renderPlist } from "./_plist.ts";
import {
  DEFAULT_REFRESH_INTERVAL_MINUTES,
  LAUNCHD_LABEL,
  type RefreshSchedule,
} from "./refresh_schedule.ts";

/**
 * Renders the macOS LaunchAgent that runs `ccgate refresh`: at load (logon)
 * and every `intervalMinutes` (`StartInterval`, seconds), output to the log
 * file, the pinned environment in `EnvironmentVariables`. Pure.
 *
 * @example
 * ```ts
 * import { renderLaunchAgentPlist } from "./launchd_plist.ts";
 * const xml = renderLaunchAgentPlist({ program: "/usr/local/bin/ccgate", logPath: "/tmp/r.log" });
 * console.assert(xml.includes("<key>StartInterval</key>"));
 * ```
 */
export function renderLaunchAgentPlist(schedule: RefreshSchedule): string {
  const every = schedule.intervalMinutes ?? DEFAULT_REFRESH_INTERVAL_MINUTES;
  return renderPlist({
    Label: LAUNCHD_LABEL,
    ProgramArguments: [schedule.program, "refresh"],
    EnvironmentVariables: schedule.env && Object.keys(schedule.env).length > 0
      ? schedule.env
      : undefined,
    StartInterval: every * 60,
    RunAtLoad: true,
    ProcessType: "Background",
    StandardOutPath: schedule.logPath,
    StandardErrorPath: schedule.logPath,
  });
}
