import { assertNoLineBreak } from "./_no_line_break.ts";
import { DEFAULT_REFRESH_INTERVAL_MINUTES, type RefreshSchedule } from "./refresh_schedule.ts";

/** A systemd user service and its timer. */
export interface SystemdUnits {
  /** `ccgate-refresh.service`. */
  service: string;
  /** `ccgate-refresh.timer`. */
  timer: string;
}

/** Escapes systemd's specifiers: `%` starts one (`%h`), `%%` is a percent sign. */
const escapeSpecifiers = (text: string) => text.replace(/%/g, "%%");

/** Quotes a double-quoted systemd word: backslash and quote escaped, specifiers too. */
const quoteWord = (text: string) =>
  `"${escapeSpecifiers(text.replace(/\\/g, "\\\\").replace(/"/g, '\\"'))}"`;

/**
 * Quotes the program, the first word of an `ExecStart=` line. systemd runs
 * that path as written (no `$` expansion: `$$` would stay two dollars, which
 * `systemd-analyze verify` confirms); only specifiers and quoting apply.
 */
function quoteExecProgram(path: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(path) ? escapeSpecifiers(path) : quoteWord(path);
}

/**
 * Renders the systemd **user** units that run `ccgate refresh`: a oneshot
 * service and a timer firing one minute after the user's manager starts (at
 * logon) and then every `intervalMinutes`. `Persistent=` is for calendar
 * timers only, so a missed run after sleep is covered by the monotonic
 * `OnUnitActiveSec=`. `%` in paths is escaped (`%%`); the
 * pinned environment becomes `Environment=` lines. Pure.
 *
 * @throws {InstallerError} `usage` when a path or value holds a line break.
 *
 * @example
 * ```ts
 * import { renderSystemdUnits } from "./systemd_units.ts";
 * const units = renderSystemdUnits({ program: "/home/u/.local/bin/ccgate" });
 * console.assert(units.timer.includes("OnUnitActiveSec=10min"));
 * ```
 */
export function renderSystemdUnits(schedule: RefreshSchedule): SystemdUnits {
  const env = Object.entries(schedule.env ?? {});
  assertNoLineBreak([schedule.program, ...env.flat()], "systemd unit");
  const every = schedule.intervalMinutes ?? DEFAULT_REFRESH_INTERVAL_MINUTES;
  const service = [
    "[Unit]",
    "Description=Refresh the ccgate session (Claude Code credentials)",
    "Documentation=https://github.com/ccgate/ccgate",
    "After=network-online.target",
    "",
    "[Service]",
    "Type=oneshot",
    // No `$` expansion in Environment=: only quotes, backslashes and specifiers.
    ...env.map(([name, value]) => `Environment=${quoteWord(`${name}=${value}`)}`),
    `ExecStart=${quoteExecProgram(schedule.program)} refresh`,
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
