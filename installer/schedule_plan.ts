import { addCrontabLines, crontabUpdate, renderCrontabLines } from "./crontab_entry.ts";
import { InstallerError } from "./errors.ts";
import type { InstallManifest } from "./install_manifest.ts";
import type { InstallFacts, PlanAction } from "./install_plan.ts";
import { joinPath } from "./install_paths.ts";
import { renderLaunchAgentPlist } from "./launchd_plist.ts";
import { LAUNCHD_LABEL, REFRESH_ENV_NAMES, REFRESH_JOB_NAME } from "./refresh_schedule.ts";
import { renderSystemdUnits } from "./systemd_units.ts";
import { renderTaskSchedulerXml, utf16le } from "./task_scheduler_xml.ts";
import type { InstallOs, InstallScope } from "./claude_settings_location.ts";

const enc = new TextEncoder();

/** What {@linkcode planSchedule} works with. */
export interface SchedulePlanContext {
  /** What install found on the machine. */
  facts: InstallFacts;
  /** User or system scope. */
  scope: InstallScope;
  /** The installed ccgate program. */
  program: string;
  /** Minutes between refreshes. */
  intervalMinutes?: number;
  /** The plan's steps: the schedule's commands are appended in order. */
  actions: PlanAction[];
  /** Plans a file ccgate owns (recorded, written when its bytes differ); whether it changed. */
  write: (path: string, data: Uint8Array, mode: number, why: string) => Promise<boolean>;
}

/**
 * Plans the refresh schedule of `ccgate install`: systemd user units (or
 * crontab lines without a user manager) on Linux, a LaunchAgent on macOS, a
 * scheduled task on Windows, with the environment `ccgate refresh` needs
 * pinned (user scope). The activation commands are idempotent and planned on
 * every install, `quiet` when nothing changed and the same schedule is known
 * to be running. Pure.
 *
 * @returns The manifest's schedule (with its undo) and files written for ccgate (logs).
 * @throws {InstallerError} `unsupported` on Linux with neither systemd nor cron.
 */
export async function planSchedule(
  ctx: SchedulePlanContext,
): Promise<{ schedule: NonNullable<InstallManifest["schedule"]>; extraFiles: string[] }> {
  const { facts, scope, program, actions, write } = ctx;
  const { os, home } = facts;
  const previous = facts.manifest;
  const interval = ctx.intervalMinutes;
  const extraFiles: string[] = [];
  let schedule: NonNullable<InstallManifest["schedule"]>;
  const env = scope === "user" ? refreshEnv(os, facts.env) : undefined;
  /** Activation is quiet when nothing changed and the same schedule is known to be running. */
  const quietIf = (changed: boolean, kind: NonNullable<InstallManifest["schedule"]>["kind"]) =>
    !changed && previous?.schedule?.kind === kind && facts.scheduleActive === true
      ? { quiet: true }
      : {};
  if (os === "linux" && (scope === "system" || facts.systemdUser)) {
    const dir = scope === "system"
      ? "/etc/systemd/user"
      : `${
        facts.env("XDG_CONFIG_HOME")?.startsWith("/")
          ? facts.env("XDG_CONFIG_HOME")
          : `${home}/.config`
      }/systemd/user`;
    const units = renderSystemdUnits({ program, intervalMinutes: interval, env });
    const changedService = await write(
      `${dir}/${REFRESH_JOB_NAME}.service`,
      enc.encode(units.service),
      0o644,
      "systemd user service running `ccgate refresh`",
    );
    const changedTimer = await write(
      `${dir}/${REFRESH_JOB_NAME}.timer`,
      enc.encode(units.timer),
      0o644,
      "systemd user timer: at logon and every few minutes",
    );
    const user = scope === "system" ? "--global" : "--user";
    const quiet = quietIf(changedService || changedTimer, "systemd");
    if (scope === "user") {
      actions.push({
        kind: "run",
        command: "systemctl",
        args: ["--user", "daemon-reload"],
        ...quiet,
        why: "load the units",
      });
      actions.push({
        kind: "run",
        command: "systemctl",
        args: ["--user", "enable", "--now", `${REFRESH_JOB_NAME}.timer`],
        ...quiet,
        why: "start the timer now and at every logon",
      });
    } else {
      actions.push({
        kind: "run",
        command: "systemctl",
        args: ["--global", "enable", `${REFRESH_JOB_NAME}.timer`],
        ...quiet,
        why: "start the timer at every user's logon",
      });
    }
    schedule = {
      kind: "systemd",
      undo: scope === "user"
        ? [{
          command: "systemctl",
          args: [user, "disable", "--now", `${REFRESH_JOB_NAME}.timer`],
        }, { command: "systemctl", args: [user, "daemon-reload"] }]
        : [{ command: "systemctl", args: [user, "disable", `${REFRESH_JOB_NAME}.timer`] }],
    };
  } else if (os === "linux") {
    if (facts.crontab === undefined) {
      throw new InstallerError(
        "unsupported",
        "Cannot schedule `ccgate refresh`: there is no systemd user manager and no crontab (install cron, or pass --no-schedule: `ccgate token` then refreshes the token when Claude Code asks for one)",
      );
    }
    const crontab = facts.crontab;
    const next = addCrontabLines(
      crontab,
      renderCrontabLines({ program, intervalMinutes: interval, env }),
    );
    const update = crontabUpdate(
      crontab,
      next,
      "crontab lines running `ccgate refresh` (no systemd user manager)",
    );
    if (update) actions.push(update);
    schedule = { kind: "cron", undo: [] };
  } else if (os === "darwin") {
    const dir = scope === "system" ? "/Library/LaunchAgents" : `${home}/Library/LaunchAgents`;
    const logPath = scope === "user" ? `${facts.configDir}/refresh.log` : undefined;
    if (logPath) extraFiles.push(logPath);
    const plist = `${dir}/${LAUNCHD_LABEL}.plist`;
    const changed = await write(
      plist,
      enc.encode(renderLaunchAgentPlist({ program, intervalMinutes: interval, logPath, env })),
      0o644,
      "LaunchAgent running `ccgate refresh` at logon and every few minutes",
    );
    if (scope === "user") {
      const quiet = quietIf(changed, "launchd");
      actions.push({
        kind: "run",
        command: "launchctl",
        args: ["unload", plist],
        mayFail: true,
        ...quiet,
        why: "unload an older copy",
      });
      actions.push({
        kind: "run",
        command: "launchctl",
        args: ["load", "-w", plist],
        ...quiet,
        why: "start the LaunchAgent now",
      });
    }
    schedule = {
      kind: "launchd",
      undo: scope === "user" ? [{ command: "launchctl", args: ["unload", "-w", plist] }] : [],
    };
  } else {
    const domain = facts.env("USERDOMAIN");
    const user = facts.env("USERNAME") ?? "";
    const principal = scope === "system"
      ? { groupId: "S-1-5-32-545" }
      : { userId: domain ? `${domain}\\${user}` : user };
    const xmlPath = joinPath(os, facts.configDir, `${REFRESH_JOB_NAME}.xml`);
    const changed = await write(
      xmlPath,
      utf16le(renderTaskSchedulerXml({ program, intervalMinutes: interval, principal, env })),
      0o644,
      "Task Scheduler definition of `ccgate refresh`",
    );
    actions.push({
      kind: "run",
      command: "schtasks",
      args: ["/Create", "/TN", REFRESH_JOB_NAME, "/XML", xmlPath, "/F"],
      ...quietIf(changed, "schtasks"),
      why: "register the task (at logon and every few minutes)",
    });
    schedule = {
      kind: "schtasks",
      undo: [{ command: "schtasks", args: ["/Delete", "/TN", REFRESH_JOB_NAME, "/F"] }],
    };
  }
  return { schedule, extraFiles };
}

/** The variables `ccgate refresh` needs to find the session, as set at install (user scope). */
function refreshEnv(
  os: InstallOs,
  env: (name: string) => string | undefined,
): Record<string, string> {
  const pinned: Record<string, string> = {};
  for (const name of REFRESH_ENV_NAMES) {
    // Only Linux reads XDG_CONFIG_HOME for the config folder.
    if (name === "XDG_CONFIG_HOME" && os !== "linux") continue;
    const value = env(name);
    if (value) pinned[name] = value;
  }
  return pinned;
}
