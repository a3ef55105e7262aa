import { DEFAULT_REFRESH_INTERVAL_MINUTES, type RefreshSchedule } from "./refresh_schedule.ts";

/** A systemd user service and its timer. */
export interface SystemdUnits {
  /** `ccgate-refresh.service`. */
  service: string;
  /** `ccgate-refresh.timer`. */
  timer: string;
}

/** Quotes one argument for a systemd `ExecStart=` line. */
function quoteExecArg(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `"${arg.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/**
 * Renders the systemd **user** units that run `ccgate refresh`: a oneshot
 * service and a timer firing one minute after the user's manager starts (at
 * logon) and then every `intervalMinutes`. `Persistent=` is for calendar
 * timers only, so a missed run after sleep is covered by the monotonic
 * `OnUnitActiveSec=`. Pure.
 *
 * @example
 * ```ts
 * import { renderSystemdUnits } from "./systemd_units.ts";
 * const units = renderSystemdUnits({ program: "/home/u/.local/bin/ccgate" });
 * console.assert(units.timer.includes("OnUnitActiveSec=10min"));
 * ```
 */
export function renderSystemdUnits(schedule: RefreshSchedule): SystemdUnits {
  const every = schedule.intervalMinutes ?? DEFAULT_REFRESH_INTERVAL_MINUTES;
  const service = [
    "[Unit]",
    "Description=Refresh the ccgate session (Claude Code credentials)",
    "Documentation=https://github.com/ccgate/ccgate",
    "After=network-online.target",
    "",
    "[Service]",
    "Type=oneshot",
    `ExecStart=${quoteExecArg(schedule.program)} refresh`,
    "",
  ].join("\n");
  const timer = [
    "[Unit]",
    "Description=Refresh the ccgate session every " + every + " minutes and at logon",
    "",
    "[Timer]",
    "OnStartupSec=1min",
    `OnUnitActiveSec=${every}min`,
    "AccuracySec=1min",
    "Unit=ccgate-refresh.service",
    "",
    "[Install]",
    "WantedBy=timers.target",
    "",
  ].join("\n");
  return { service, timer };
}
