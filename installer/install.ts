import { applyPlan, ensureDir } from "./apply_plan.ts";
import { claudeSettingsLocation } from "./claude_settings_location.ts";
import { InstallerError } from "./errors.ts";
import {
  type InstallManifest,
  MANIFEST_NAME,
  parseInstallManifest,
  renderInstallManifest,
} from "./install_manifest.ts";
import {
  type InstallFacts,
  type InstallPlanOptions,
  type PlanAction,
  planInstall,
  type SelfProgram,
} from "./install_plan.ts";
import { claudeCodePath, joinPath, programPath } from "./install_paths.ts";
import { LAUNCHD_LABEL, REFRESH_JOB_NAME } from "./refresh_schedule.ts";
import type { Sys } from "./sys.ts";
import { planUninstall } from "./uninstall_plan.ts";

/** Options of {@linkcode install}. */
export interface InstallOptions extends InstallPlanOptions {
  /** The ccgate config folder. */
  configDir: string;
  /** The running ccgate. */
  self: SelfProgram;
  /** Plan only: change nothing. */
  dryRun?: boolean;
}

/** What {@linkcode install} did (or, in a dry run, would do). */
export interface InstallResult {
  /**
   * The steps, in order (the manifest write last). Outside a dry run, the
   * quiet re-activation of a schedule already running is left out.
   */
  actions: PlanAction[];
  /** The manifest stored. */
  manifest: InstallManifest;
  /** Whether anything changed. */
  changed: boolean;
  /** What the earlier install owned and this one left in place (the user changed it), with why. */
  kept: string[];
}

const dec = new TextDecoder();

/** The installed Claude Code's version (`claude --version`), if any. */
export async function claudeCodeVersion(sys: Sys, program = "claude"): Promise<string | undefined> {
  try {
    const out = await sys.run(program, ["--version"]);
    if (out.code !== 0) return undefined;
    return /(\d+\.\d+\.\d+)/.exec(out.stdout)?.[1];
  } catch {
    return undefined;
  }
}

/** Whether a systemd user manager answers. */
async function hasSystemdUser(sys: Sys): Promise<boolean> {
  try {
    const out = await sys.run("systemctl", ["--user", "is-system-running"]);
    return /^(running|degraded|starting|initializing|maintenance)/.test(out.stdout.trim());
  } catch {
    return false;
  }
}

/** The current crontab ("" when there is none). */
async function readCrontab(sys: Sys): Promise<string | undefined> {
  try {
    const out = await sys.run("crontab", ["-l"]);
    return out.code === 0 ? out.stdout : "";
  } catch {
    return undefined;
  }
}

/**
 * Whether the schedule of an earlier install is registered and running, as
 * the OS reports it; `undefined` when it cannot tell.
 */
async function scheduleActive(
  sys: Sys,
  kind: NonNullable<InstallManifest["schedule"]>["kind"],
  scope: InstallManifest["scope"],
): Promise<boolean | undefined> {
  const answer = async (command: string, args: string[]) => {
    try {
      return await sys.run(command, args);
    } catch {
      return undefined;
    }
  };
  const timer = `${REFRESH_JOB_NAME}.timer`;
  switch (kind) {
    case "systemd": {
      const user = scope === "system" ? "--global" : "--user";
      const enabled = (await answer("systemctl", [user, "is-enabled", timer]))?.stdout.trim();
      if (scope === "system") return enabled === "enabled";
      const active = (await answer("systemctl", [user, "is-active", timer]))?.stdout.trim();
      return enabled === "enabled" && active === "active";
    }
    case "launchd":
      return (await answer("launchctl", ["list", LAUNCHD_LABEL]))?.code === 0;
    case "schtasks":
      return (await answer("schtasks", ["/Query", "/TN", REFRESH_JOB_NAME]))?.code === 0;
    case "cron":
      return undefined;
  }
}

/** Reads the install manifest of a config folder, if any. */
export async function readInstallManifest(
  sys: Sys,
  configDir: string,
): Promise<InstallManifest | undefined> {
  const path = joinPath(sys.os, configDir, MANIFEST_NAME);
  const bytes = await sys.readFile(path);
  return bytes === undefined ? undefined : parseInstallManifest(dec.decode(bytes), path);
}

/**
 * `ccgate install`: gathers the facts through `sys`, plans (pure), then
 * applies the plan and stores the manifest. Idempotent: a second run with the
 * same options plans no write and leaves every byte as it was; it re-runs
 * the schedule's activation (quietly when the schedule is running), so a
 * failed or disabled schedule is healed. Over an earlier install, what that
 * install owned and this one does not cover is undone in the same run.
 *
 * @throws {InstallerError} `settings_invalid` (nothing changed), `command_failed`, `usage`.
 */
export async function install(options: InstallOptions, sys: Sys): Promise<InstallResult> {
  if (options.scope === "system" && !options.dryRun && !(await sys.isAdmin())) {
    throw new InstallerError(
      "usage",
      "Cannot install for the whole system: run as root (sudo) or Administrator, or use --scope user",
    );
  }
  if (options.scope === "user" && !_isAbsoluteFolder(sys.os, sys.home)) {
    // An unset HOME made every path absolute from the root ("/.claude/settings.json").
    throw new InstallerError(
      "usage",
      `Cannot install for this user: ${
        sys.os === "windows" ? "USERPROFILE" : "HOME"
      } is not set to an absolute folder (it is ${JSON.stringify(sys.home)})`,
    );
  }
  const manifest = await readInstallManifest(sys, options.configDir);
  const claudeVersion = await claudeCodeVersion(sys);
  const files = new Map<string, Uint8Array | undefined>();
  const read = async (path: string) => files.set(path, await sys.readFile(path));
  const program = programPath(sys.os, options.scope, sys.home, sys.env, options.self.kind);
  await read(program);
  if (options.claudeCode) await read(claudeCodePath(sys.os, options.scope, sys.home));
  const location = claudeSettingsLocation({
    os: sys.os,
    scope: options.scope,
    home: sys.home,
    claudeVersion: options.claudeCode?.version ?? claudeVersion,
  });
  await read(location.path);
  const settingsMode = await sys.mode(location.path);
  const systemdUser = sys.os === "linux" && options.scope === "user" && !options.noSchedule
    ? await hasSystemdUser(sys)
    : false;
  const crontab = (sys.os === "linux" && options.scope === "user" && !options.noSchedule &&
      !systemdUser) || manifest?.schedule?.kind === "cron"
    ? await readCrontab(sys)
    : undefined;
  // What the earlier install owned, so the plan can undo what it no longer covers.
  if (manifest) {
    for (const f of manifest.files) await read(f.path);
    if (manifest.settings) {
      await read(manifest.settings.path);
      if (manifest.settings.restore.kind !== "remove") {
        await read(manifest.settings.restore.backup);
      }
    }
  }
  const previousSettingsMode = manifest?.settings
    ? await sys.mode(manifest.settings.path)
    : undefined;
  // Files the schedule writes: read whatever a plan could write, by planning once.
  const facts: InstallFacts = {
    os: sys.os,
    home: sys.home,
    configDir: options.configDir,
    env: sys.env,
    now: sys.now(),
    self: options.self,
    manifest,
    files,
    settingsMode,
    previousSettingsMode,
    claudeVersion,
    systemdUser,
    crontab,
  };
  const draft = await planInstall(options, facts);
  for (const f of draft.manifest.files) if (!files.has(f.path)) await read(f.path);
  const kind = draft.manifest.schedule?.kind;
  if (kind !== undefined && manifest?.schedule?.kind === kind) {
    facts.scheduleActive = await scheduleActive(sys, kind, options.scope);
  }
  const plan = await planInstall(options, facts);
  const reported = plan.actions.filter((a) => !(a.kind === "run" && a.quiet));

  const manifestPath = joinPath(sys.os, options.configDir, MANIFEST_NAME);
  const previousDirs = manifest?.dirs ?? [];
  const stored = (dirs: string[]): InstallManifest => ({ ...plan.manifest, dirs });
  const manifestWrite = (m: InstallManifest): PlanAction & { kind: "write" } => ({
    kind: "write",
    path: manifestPath,
    data: new TextEncoder().encode(renderInstallManifest(m)),
    mode: 0o600,
    why: "the install manifest (what uninstall removes)",
  });
  const currentManifest = await sys.readFile(manifestPath);
  if (options.dryRun) {
    const m = stored(previousDirs);
    const actions = [...plan.actions, manifestWrite(m)];
    return { actions, manifest: m, changed: reported.length > 0, kept: plan.kept };
  }
  const created = [...await ensureDir(sys, options.configDir, 0o700)];
  let failure: unknown;
  try {
    await applyPlan(plan.actions, sys, created);
  } catch (err) {
    // Record what may have been written, so uninstall can remove it; then fail.
    failure = err;
  }
  const dirs = [...previousDirs, ...created.filter((d) => !previousDirs.includes(d))];
  const m = stored(dirs);
  const write = manifestWrite(m);
  const actions = [...reported];
  const same = currentManifest !== undefined && currentManifest.length === write.data.length &&
    currentManifest.every((b, i) => b === write.data[i]);
  if (!same) {
    await applyPlan([write], sys);
    actions.push(write);
  }
  if (failure !== undefined) throw failure;
  return { actions, manifest: m, changed: actions.length > 0, kept: plan.kept };
}

/** Options of {@linkcode uninstall}. */
export interface UninstallOptions {
  /** The ccgate config folder. */
  configDir: string;
  /** Plan only. */
  dryRun?: boolean;
}

/** What {@linkcode uninstall} did. */
export interface UninstallResult {
  /**
   * The steps. Outside a dry run, those done: a folder install created that
   * is not empty (another program's files in it) stays, and is in `kept`.
   */
  actions: PlanAction[];
  /** What was left in place, and why. */
  kept: string[];
  /** The manifest it followed; `undefined` when nothing was installed. */
  manifest?: InstallManifest;
}

/**
 * `ccgate uninstall`: removes exactly what the manifest says install added.
 * Nothing installed is not an error (nothing to do).
 */
export async function uninstall(options: UninstallOptions, sys: Sys): Promise<UninstallResult> {
  const manifest = await readInstallManifest(sys, options.configDir);
  if (manifest === undefined) return { actions: [], kept: [] };
  if (manifest.scope === "system" && !options.dryRun && !(await sys.isAdmin())) {
    throw new InstallerError(
      "usage",
      "Cannot uninstall the system-wide install: run as root (sudo) or Administrator",
    );
  }
  const files = new Map<string, Uint8Array | undefined>();
  const paths = [
    ...manifest.files.map((f) => f.path),
    ...(manifest.settings ? [manifest.settings.path] : []),
    ...(manifest.settings?.restore.kind === "backup" ? [manifest.settings.restore.backup] : []),
  ];
  for (const p of paths) files.set(p, await sys.readFile(p));
  const crontab = manifest.schedule?.kind === "cron" ? await readCrontab(sys) : undefined;
  const plan = await planUninstall({
    manifest,
    manifestPath: joinPath(sys.os, options.configDir, MANIFEST_NAME),
    files,
    crontab,
    settingsMode: manifest.settings ? await sys.mode(manifest.settings.path) : undefined,
  });
  if (options.dryRun) return { actions: plan.actions, kept: plan.kept, manifest };
  // A folder goes only once empty: say which went, and which stay (another program's files).
  const folders = new Set<string>();
  for (const a of plan.actions) {
    if (a.kind === "rmdir" && await sys.exists(a.path)) folders.add(a.path);
  }
  await applyPlan(plan.actions, sys);
  const actions: PlanAction[] = [];
  const kept = [...plan.kept];
  for (const action of plan.actions) {
    if (action.kind !== "rmdir") actions.push(action);
    else if (!folders.has(action.path)) continue; // already gone: nothing done
    else if (await sys.exists(action.path)) {
      kept.push(`${action.path} (a folder install created: not empty, so left in place)`);
    } else actions.push({ ...action, why: "folder install created, now empty" });
  }
  return { actions, kept, manifest };
}

/** Whether a home folder is an absolute path: `/…` on POSIX, `C:\…` or `\\server\…` on Windows. */
function _isAbsoluteFolder(os: string, path: string): boolean {
  return os === "windows" ? /^(?:[A-Za-z]:[\\/]|\\\\)/.test(path) : path.startsWith("/");
}
