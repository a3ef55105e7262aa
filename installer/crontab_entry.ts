import { assertNoLineBreak } from "./_no_line_break.ts";
import { DEFAULT_REFRESH_INTERVAL_MINUTES, type RefreshSchedule } from "./refresh_schedule.ts";

/** The marker that identifies ccgate's crontab lines. */
export const CRONTAB_MARKER = "# ccgate-refresh";

function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** cron turns an unescaped `%` into a newline (and `\\%` into `%`) before the shell sees the line. */
const escapePercent = (text: string) => text.replace(/%/g, "\\%");

/**
 * Renders ccgate's crontab lines (the fallback when there is no systemd user
 * manager): every `intervalMinutes` and at boot, output discarded, the pinned
 * environment as `NAME=value` before the command. `%` is escaped. Pure.
 *
 * @throws {InstallerError} `usage` when a path or value holds a line break.
 */
export function renderCrontabLines(schedule: RefreshSchedule): string[] {
  const every = schedule.intervalMinutes ?? DEFAULT_REFRESH_INTERVAL_MINUTES;
  const env = Object.entries(schedule.env ?? {});
  assertNoLineBreak([schedule.program, ...env.flat()], "crontab line");
  const command = escapePercent(
    [
      ...env.map(([name, value]) => `${name}=${shellQuote(value)}`),
      `${shellQuote(schedule.program)} refresh >/dev/null 2>&1`,
    ].join(" "),
  );
  return [
    `*/${every} * * * * ${command} ${CRONTAB_MARKER}`,
    `@reboot ${command} ${CRONTAB_MARKER}`,
  ];
}

/** Adds ccgate's lines to a crontab (replacing older ccgate lines), keeping every other line. Pure. */
export function addCrontabLines(crontab: string, lines: string[]): string {
  const kept = removeCrontabLines(crontab);
  const body = kept === "" ? "" : kept.endsWith("\n") ? kept : kept + "\n";
  return body + lines.join("\n") + "\n";
}

/** Removes ccgate's lines from a crontab, keeping every other line as it was. Pure. */
export function removeCrontabLines(crontab: string): string {
  const lines = crontab.split("\n");
  const kept = lines.filter((line) => !line.endsWith(CRONTAB_MARKER));
  return kept.join("\n");
}

/**
 * The step that installs `next` as the crontab (`crontab -`), or `undefined`
 * when it is `current` already. Pure.
 *
 * @param current The crontab as it is.
 * @param next The crontab wanted.
 * @param why What the step is for, as the plan says it.
 * @returns The plan's run step, if one is needed.
 */
export function crontabUpdate(
  current: string,
  next: string,
  why: string,
): { kind: "run"; command: "crontab"; args: ["-"]; stdin: string; why: string } | undefined {
  return next === current
    ? undefined
    : { kind: "run", command: "crontab", args: ["-"], stdin: next, why };
}
