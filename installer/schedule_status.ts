/** What a schedule's last run looked like, parsed from the OS's own report. */
export interface ScheduleStatus {
  /** The schedule is registered and enabled. */
  present: boolean;
  /** `true`: the last run succeeded; `false`: it failed; `undefined`: no run yet, or unknown. */
  lastRunOk?: boolean;
  /** The OS's words, for the report. */
  detail: string;
}

/**
 * Parses `systemctl --user show ccgate-refresh.service ccgate-refresh.timer
 * -p Id -p Result -p ExecMainStatus -p UnitFileState -p ExecMainExitTimestamp`. Pure.
 */
export function parseSystemctlShow(stdout: string): ScheduleStatus {
  const units = stdout.trim().split(/\n\s*\n/).map((block) =>
    Object.fromEntries(
      block.split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    ) as Record<string, string>
  );
  const timer = units.find((u) => u.Id?.endsWith(".timer"));
  const service = units.find((u) => u.Id?.endsWith(".service"));
  const present = timer?.UnitFileState === "enabled";
  if (!service || !service.ExecMainExitTimestamp) {
    return { present, detail: present ? "timer enabled, no run yet" : "timer not enabled" };
  }
  const ok = service.Result === "success" && (service.ExecMainStatus ?? "0") === "0";
  return {
    present,
    lastRunOk: ok,
    detail: `last run ${service.ExecMainExitTimestamp}: ${
      ok ? "success" : `${service.Result}, exit status ${service.ExecMainStatus}`
    }`,
  };
}

/** Parses `launchctl list com.ccgate.refresh` (a plist-ish dictionary). Pure. */
export function parseLaunchctlList(code: number, stdout: string): ScheduleStatus {
  if (code !== 0) return { present: false, detail: "LaunchAgent not loaded" };
  const status = /"LastExitStatus"\s*=\s*(-?\d+);/.exec(stdout)?.[1];
  if (status === undefined) return { present: true, detail: "loaded, no run yet" };
  return {
    present: true,
    lastRunOk: status === "0",
    detail: `loaded, last exit status ${status}`,
  };
}

/** Parses `schtasks /Query /TN ccgate-refresh /V /FO LIST`. Pure. */
export function parseSchtasksQuery(code: number, stdout: string): ScheduleStatus {
  if (code !== 0) return { present: false, detail: "task not registered" };
  const result = /^Last Result:\s*(-?\d+)/m.exec(stdout)?.[1];
  const last = /^Last Run Time:\s*(.+)$/m.exec(stdout)?.[1]?.trim();
  // 267011 (0x41303): the task has not yet run.
  if (result === undefined || result === "267011") {
    return { present: true, detail: "registered, no run yet" };
  }
  return {
    present: true,
    lastRunOk: result === "0",
    detail: `registered, last run ${last ?? "?"}: result ${result}`,
  };
}
