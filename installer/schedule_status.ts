import { CRONTAB_MARKER } from "./crontab_entry.ts";
import type { SysCommandOutput } from "./sys.ts";

/** What a schedule's last run looked like, parsed from the OS's own report. */
export interface ScheduleStatus {
  /** The schedule is registered and enabled. */
  present: boolean;
  /** `true`: the last run succeeded; `false`: it failed; `undefined`: no run yet, or unknown. */
  lastRunOk?: boolean;
  /** The OS's words, for the report. */
  detail: string;
  /** What to do, when it is not "install again". */
  fix?: string;
}

/**
 * Reads `systemctl --user show ...` that failed (it could not reach the
 * user's systemd manager: over `sudo`/`su`, or an ssh session without
 * `XDG_RUNTIME_DIR`), with systemctl's own words and a fix; `undefined` when
 * it succeeded. Pure.
 */
export function systemctlUserFailure(out: SysCommandOutput): ScheduleStatus | undefined {
  if (out.code === 0) return undefined;
  const said = out.stderr.trim().split("\n")[0] || `exit code ${out.code}`;
  if (out.code === -1) {
    return { present: false, detail: said, fix: "install systemd, or run `ccgate install` again" };
  }
  return {
    present: false,
    detail: `\`systemctl --user\` failed: ${said}`,
    fix: /bus|XDG_RUNTIME_DIR|DBUS/i.test(said)
      ? "run `ccgate doctor` in your own login session (not through sudo or su); over ssh, " +
        "`export XDG_RUNTIME_DIR=/run/user/$(id -u)` first, and keep the user manager running " +
        "with `loginctl enable-linger $USER`"
      : "run `systemctl --user status ccgate-refresh.timer` to see why",
  };
}

/**
 * Reads `crontab -l`: present when an active (not commented-out) line ends
 * with ccgate's marker and is not only the `@reboot` one. Pure.
 */
export function parseCrontabList(stdout: string): ScheduleStatus {
  const ours = stdout.split("\n").filter((l) => l.includes(CRONTAB_MARKER));
  const active = ours.filter((l) => !l.trimStart().startsWith("#"));
  if (active.some((l) => !l.trimStart().startsWith("@reboot"))) {
    return { present: true, detail: "crontab lines present (cron keeps no run status)" };
  }
  if (ours.length > active.length) {
    return {
      present: false,
      detail: "crontab lines commented out",
      fix: "run `crontab -e` and remove the `#` before the ccgate-refresh lines, " +
        "or run `ccgate install` again",
    };
  }
  return { present: false, detail: "crontab lines missing" };
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
