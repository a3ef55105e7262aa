import { sha256Hex } from "./_hash.ts";
import { parseJsonObject } from "./_json_object.ts";
import { ccgateSettings } from "./ccgate_settings.ts";
import type { ClaudeCodeAliasModels } from "./claude_code_bedrock_settings.ts";
import {
  claudeSettingsLocation,
  type InstallOs,
  type InstallScope,
} from "./claude_settings_location.ts";
import { InstallerError } from "./errors.ts";
import type { InstallManifest, SettingsRestore } from "./install_manifest.ts";
import { type DenoLauncher, quoteProgram, renderLauncher } from "./launcher.ts";
import {
  type JsonObject,
  mergeSettings,
  noOwnedSettings,
  renderSettingsJson,
} from "./settings_merge.ts";
import { claudeCodePath, programPath } from "./install_paths.ts";
import { planSchedule } from "./schedule_plan.ts";
import { planUndoUncovered } from "./uninstall_plan.ts";

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
    /**
     * Idempotent upkeep of a schedule that is already in place (`enable
     * --now`, `launchctl load`, `schtasks /Create /F`): run on every install,
     * so a re-run heals a failed or hand-disabled schedule, but not reported
     * as a change.
     */
    quiet?: boolean;
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
  /**
   * Current bytes of files the plan reads (settings file, ccgate's own files,
   * and those of the earlier install: its files, settings and backup).
   */
  files: Map<string, Uint8Array | undefined>;
  /** The permission bits of the settings file, when it exists. */
  settingsMode?: number;
  /** The permission bits of the earlier install's settings file, when it exists. */
  previousSettingsMode?: number;
  /**
   * Whether the earlier install's schedule is registered and running
   * (`undefined`: unknown). Only decides whether re-asserting it is reported.
   */
  scheduleActive?: boolean;
  /** The installed Claude Code's version. */
  claudeVersion?: string;
  /** Whether a systemd user manager answers (Linux, user scope). */
  systemdUser: boolean;
  /** The current crontab, when cron is the schedule (now or in the earlier install). */
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
  /** Bedrock mode: the model each of Claude Code's aliases takes (the gateway's choice). */
  aliasModels?: ClaudeCodeAliasModels;
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
  /** What the earlier install owned and this one leaves in place (the user changed it), with why. */
  kept: string[];
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
 * same bytes are left out, so a re-run plans nothing but the (quiet,
 * idempotent) activation of the schedule, which heals one that failed or was
 * disabled.
 *
 * Over an earlier install it first undoes, as uninstall would, what that
 * install owned and this one no longer covers (settings at another path, a
 * schedule of another kind or none, files it does not write any more).
 *
 * @throws {InstallerError} `settings_invalid` when the settings file is not a
 *   JSON object; `usage` over an install of the other scope, or without
 *   `claudeCode` over an install that put Claude Code in place, or for a
 *   path with a line break.
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
  refuseUncoverable(options, previous);

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
    aliasModels: options.aliasModels,
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
    // Variables that would route Claude Code around the gateway (see gateway_env_conflicts.ts).
    const taken = merged.owned.values.filter((v) => v.removed).map((v) => v.path.at(-1));
    const takenOver = taken.length > 0
      ? `; taken over until uninstall, as they would route Claude Code around ccgate: ${
        taken.join(", ")
      }`
      : "";
    actions.push({
      kind: "write",
      path: location.path,
      data: settingsBytes,
      mode: facts.settingsMode ?? (scope === "system" ? 0o644 : 0o600),
      why: location.kind === "drop-in"
        ? `ccgate's managed settings drop-in for Claude Code${takenOver}`
        : `Claude Code settings, merged (keys ccgate does not own are kept)${takenOver}`,
    });
  }

  // 4. The refresh schedule.
  let schedule: InstallManifest["schedule"];
  let extraFiles: string[] = [];
  if (!options.noSchedule) {
    ({ schedule, extraFiles } = await planSchedule({
      facts,
      scope,
      program,
      intervalMinutes: options.intervalMinutes,
      actions,
      write,
    }));
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
  // 5. What the earlier install owned and this one does not cover: undone first, as uninstall would.
  const undo = previous
    ? await planUndoUncovered(previous, manifest, {
      files: facts.files,
      crontab: facts.crontab,
      settingsMode: facts.previousSettingsMode,
    })
    : { actions: [], kept: [] };
  return { actions: [...undo.actions, ...actions], manifest, kept: undo.kept };
}

/**
 * Refuses a re-install that could not undo the earlier install's parts
 * safely: another scope (the other install's files, schedule and settings
 * belong to another account or need other rights), or no Claude Code over
 * an install that put Claude Code in place (removing a working Claude Code
 * the user did not ask to remove would surprise; keeping it unrecorded
 * would orphan it).
 */
function refuseUncoverable(options: InstallPlanOptions, previous: InstallManifest | undefined) {
  if (previous === undefined) return;
  if (previous.scope !== options.scope) {
    throw new InstallerError(
      "usage",
      previous.scope === "user"
        ? "Cannot install for every user over this user's install: run `ccgate uninstall` first (as the user who installed), then install again"
        : "Cannot install for this user over the install for every user: run `ccgate uninstall` first (as root or Administrator), then install again",
    );
  }
  if (previous.claudeCode && !options.claudeCode) {
    throw new InstallerError(
      "usage",
      `Cannot install without --with-claude-code: the earlier install put Claude Code at "${previous.claudeCode.path}"; pass --with-claude-code again, or run \`ccgate uninstall\` first`,
    );
  }
}
