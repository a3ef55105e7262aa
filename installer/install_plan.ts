import { sha256Hex } from "./_hash.ts";
import { parseJsonObject } from "./_json_object.ts";
import { ccgateSettings } from "./ccgate_settings.ts";
import {
  claudeSettingsLocation,
  type InstallOs,
  type InstallScope,
} from "./claude_settings_location.ts";
import { addCrontabLines, renderCrontabLines } from "./crontab_entry.ts";
import { InstallerError } from "./errors.ts";
import type { InstallManifest, SettingsRestore } from "./install_manifest.ts";
import { renderLaunchAgentPlist } from "./launchd_plist.ts";
import { type DenoLauncher, quoteProgram, renderLauncher } from "./launcher.ts";
import { LAUNCHD_LABEL, REFRESH_JOB_NAME } from "./refresh_schedule.ts";
import {
  type JsonObject,
  mergeSettings,
  noOwnedSettings,
  renderSettingsJson,
} from "./settings_merge.ts";
import { renderSystemdUnits } from "./systemd_units.ts";
import { renderTaskSchedulerXml, utf16le } from "./task_scheduler_xml.ts";
import { claudeCodePath, joinPath, programPath } from "./install_paths.ts";

/** One step of an install or uninstall. */
export type PlanAction =
  | { kind: "write"; path: string; data: Uint8Array; mode: number; why: string }
  | { kind: "remove"; path: string; why: string }
  | { kind: "rmdir"; path: string; why: string }
  | {
    kind: "run";
    command: string;
    args: string[];
    stdin?: string;
    mayFail?: boolean;
    why: string;
  };

/** What the running ccgate is: a compiled binary to copy, or a module to launch with deno. */
export type SelfProgram =
  | { kind: "binary"; path: string; bytes: Uint8Array }
  | { kind: "launcher"; launcher: DenoLauncher };

/** What install found on the machine (gathered through `Sys` before planning). */
export interface InstallFacts {
  /** The OS. */
  os: InstallOs;
  /** The user's home folder. */
  home: string;
  /** The ccgate config folder (session, config.json, install.json). */
  configDir: string;
  /** Reads an environment variable. */
  env: (name: string) => string | undefined;
  /** The time (names the settings backup). */
  now: Date;
  /** The running ccgate. */
  self: SelfProgram;
  /** The manifest of an earlier install. */
  manifest?: InstallManifest;
  /** Current bytes of files the plan reads (settings file, ccgate's own files). */
  files: Map<string, Uint8Array | undefined>;
  /** The permission bits of the settings file, when it exists. */
  settingsMode?: number;
  /** The installed Claude Code's version. */
  claudeVersion?: string;
  /** Whether a systemd user manager answers (Linux, user scope). */
  systemdUser: boolean;
  /** The current crontab, when cron is the schedule. */
  crontab?: string;
}

/** Options of {@linkcode planInstall}. */
export interface InstallPlanOptions {
  /** The gateway URL. */
  url: string;
  /** User or system scope. */
  scope: InstallScope;
  /** Anthropic API or Claude Code's Bedrock mode. */
  mode: "anthropic" | "bedrock";
  /** Skip the refresh schedule. */
  noSchedule?: boolean;
  /** Minutes between scheduled refreshes. @default {10} */
  intervalMinutes?: number;
  /** Access token lifetime, seconds. @default {3600} */
  accessTokenTtlSeconds?: number;
  /** Deny WebSearch (Bedrock does not offer it). @default {true} */
  denyUnsupportedTools?: boolean;
  /** Claude Code's default model. */
  model?: string;
  /** An admin settings fragment merged in. */
  policy?: JsonObject;
  /** Claude Code from a mirror, verified: written next to ccgate. */
  claudeCode?: { bytes: Uint8Array; version: string };
}

/** A planned install: the steps, and the manifest to store once they ran. */
export interface InstallPlan {
  /** The steps, in order. */
  actions: PlanAction[];
  /** The manifest, without `dirs` (install adds the folders it created). */
  manifest: InstallManifest;
}

const enc = new TextEncoder();

function timestamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
}

const sameBytes = (a: Uint8Array | undefined, b: Uint8Array) =>
  a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Plans `ccgate install`: the program copy (or launcher), Claude Code's
 * settings (merged with a backup, or ccgate's drop-in), the refresh schedule,
 * Claude Code from a mirror. Reads nothing: every fact comes in `facts`, so
 * the plan is the same on any machine. Steps whose file already holds the
 * same bytes are left out, so a re-run plans nothing.
 *
 * @throws {InstallerError} `settings_invalid` when the settings file is not a JSON object.
 */
export async function planInstall(
  options: InstallPlanOptions,
  facts: InstallFacts,
): Promise<InstallPlan> {
  const { os, home } = facts;
  const scope = options.scope;
  const actions: PlanAction[] = [];
  const files: InstallManifest["files"] = [];
  const previous = facts.manifest;

  const write = async (path: string, data: Uint8Array, mode: number, why: string) => {
    files.push({ path, sha256: await sha256Hex(data) });
    const changed = !sameBytes(facts.files.get(path), data);
    if (changed) actions.push({ kind: "write", path, data, mode, why });
    return changed;
  };

  // 1. The program.
  const program = programPath(os, scope, home, facts.env, facts.self.kind);
  const programBytes = facts.self.kind === "binary"
    ? facts.self.bytes
    : enc.encode(renderLauncher(os, facts.self.launcher));
  await write(program, programBytes, 0o755, "ccgate, where schedules and apiKeyHelper find it");

  // 2. Claude Code from a mirror.
  let claudeCode: InstallManifest["claudeCode"];
  let claudeVersion = facts.claudeVersion;
  if (options.claudeCode) {
    const path = claudeCodePath(os, scope, home);
    if (facts.files.get(path) !== undefined && previous?.claudeCode?.path !== path) {
      throw new InstallerError(
        "usage",
        `Cannot install Claude Code: "${path}" exists and was not installed by ccgate`,
      );
    }
    await write(path, options.claudeCode.bytes, 0o755, "Claude Code from the mirror (verified)");
    claudeCode = { path, version: options.claudeCode.version };
    claudeVersion = options.claudeCode.version;
  }

  // 3. Claude Code's settings.
  const location = claudeSettingsLocation({ os, scope, home, claudeVersion });
  const ours = ccgateSettings({
    mode: options.mode,
    gatewayUrl: options.url,
    apiKeyHelper: `${quoteProgram(os, program)} token`,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds,
    denyUnsupportedTools: options.denyUnsupportedTools,
    model: options.model,
    disableAutoUpdater: options.claudeCode !== undefined,
    policy: options.policy,
  });
  const currentBytes = facts.files.get(location.path);
  let existing: JsonObject = {};
  if (currentBytes !== undefined) {
    const parsed = parseJsonObject(currentBytes);
    if (parsed === undefined) {
      throw new InstallerError(
        "settings_invalid",
        `Cannot merge into "${location.path}": it is not a valid JSON object; fix or move it, then run install again (nothing was changed)`,
      );
    }
    existing = parsed;
  }
  const before = previous?.settings?.path === location.path
    ? previous.settings.owned
    : noOwnedSettings();
  const merged = mergeSettings(existing, ours, before);
  const settingsBytes = enc.encode(renderSettingsJson(merged.settings));
  const currentSha = currentBytes ? await sha256Hex(currentBytes) : undefined;
  const writtenSha256 = await sha256Hex(settingsBytes);
  const prevSettings = previous?.settings?.path === location.path ? previous.settings : undefined;
  let restore: SettingsRestore;
  if (prevSettings && currentSha === prevSettings.writtenSha256) {
    // Untouched since the last install: what restored it then still does.
    restore = prevSettings.restore;
  } else if (currentBytes === undefined) {
    restore = { kind: "remove" };
  } else {
    // First install over an existing file, or the user edited it since the last install:
    // a timestamped backup; the first install's restores byte for byte.
    const backup = `${location.path}.ccgate-backup-${timestamp(facts.now)}`;
    actions.push({
      kind: "write",
      path: backup,
      data: currentBytes,
      mode: 0o600,
      why: "backup of the settings before ccgate changed them",
    });
    restore = prevSettings
      ? { kind: "unmerge", backup }
      : { kind: "backup", backup, originalSha256: currentSha!, mode: facts.settingsMode ?? 0o600 };
  }
  if (!sameBytes(currentBytes, settingsBytes)) {
    actions.push({
      kind: "write",
      path: location.path,
      data: settingsBytes,
      mode: facts.settingsMode ?? (scope === "system" ? 0o644 : 0o600),
      why: location.kind === "drop-in"
        ? "ccgate's managed settings drop-in for Claude Code"
        : "Claude Code settings, merged (keys ccgate does not own are kept)",
    });
  }

  // 4. The refresh schedule.
  let schedule: InstallManifest["schedule"];
  const extraFiles: string[] = [];
  if (!options.noSchedule) {
    const interval = options.intervalMinutes;
    if (os === "linux" && (scope === "system" || facts.systemdUser)) {
      const dir = scope === "system"
        ? "/etc/systemd/user"
        : `${
          facts.env("XDG_CONFIG_HOME")?.startsWith("/")
            ? facts.env("XDG_CONFIG_HOME")
            : `${home}/.config`
        }/systemd/user`;
      const units = renderSystemdUnits({ program, intervalMinutes: interval });
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
      if (changedService || changedTimer || previous?.schedule?.kind !== "systemd") {
        if (scope === "user") {
          actions.push({
            kind: "run",
            command: "systemctl",
            args: ["--user", "daemon-reload"],
            why: "load the units",
          });
          actions.push({
            kind: "run",
            command: "systemctl",
            args: ["--user", "enable", "--now", `${REFRESH_JOB_NAME}.timer`],
            why: "start the timer now and at every logon",
          });
        } else {
          actions.push({
            kind: "run",
            command: "systemctl",
            args: ["--global", "enable", `${REFRESH_JOB_NAME}.timer`],
            why: "start the timer at every user's logon",
          });
        }
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
          "Cannot schedule `ccgate refresh`: there is no systemd user manager and no crontab (install cron, or pass --no-schedule)",
        );
      }
      const crontab = facts.crontab;
      const next = addCrontabLines(
        crontab,
        renderCrontabLines({ program, intervalMinutes: interval }),
      );
      if (next !== crontab) {
        actions.push({
          kind: "run",
          command: "crontab",
          args: ["-"],
          stdin: next,
          why: "crontab lines running `ccgate refresh` (no systemd user manager)",
        });
      }
      schedule = { kind: "cron", undo: [] };
    } else if (os === "darwin") {
      const dir = scope === "system" ? "/Library/LaunchAgents" : `${home}/Library/LaunchAgents`;
      const logPath = scope === "user" ? `${facts.configDir}/refresh.log` : undefined;
      if (logPath) extraFiles.push(logPath);
      const plist = `${dir}/${LAUNCHD_LABEL}.plist`;
      const changed = await write(
        plist,
        enc.encode(renderLaunchAgentPlist({ program, intervalMinutes: interval, logPath })),
        0o644,
        "LaunchAgent running `ccgate refresh` at logon and every few minutes",
      );
      if (scope === "user" && (changed || previous?.schedule?.kind !== "launchd")) {
        actions.push({
          kind: "run",
          command: "launchctl",
          args: ["unload", plist],
          mayFail: true,
          why: "unload an older copy",
        });
        actions.push({
          kind: "run",
          command: "launchctl",
          args: ["load", "-w", plist],
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
        utf16le(renderTaskSchedulerXml({ program, intervalMinutes: interval, principal })),
        0o644,
        "Task Scheduler definition of `ccgate refresh`",
      );
      if (changed || previous?.schedule?.kind !== "schtasks") {
        actions.push({
          kind: "run",
          command: "schtasks",
          args: ["/Create", "/TN", REFRESH_JOB_NAME, "/XML", xmlPath, "/F"],
          why: "register the task (at logon and every few minutes)",
        });
      }
      schedule = {
        kind: "schtasks",
        undo: [{ command: "schtasks", args: ["/Delete", "/TN", REFRESH_JOB_NAME, "/F"] }],
      };
    }
  }

  const manifest: InstallManifest = {
    version: 1,
    scope,
    os,
    gatewayUrl: options.url.replace(/\/+$/, ""),
    mode: options.mode,
    program,
    files,
    extraFiles,
    dirs: [],
    settings: {
      path: location.path,
      kind: location.kind,
      owned: merged.owned,
      restore,
      writtenSha256,
    },
    ...(schedule ? { schedule } : {}),
    ...(claudeCode ? { claudeCode } : {}),
  };
  return { actions, manifest };
}
