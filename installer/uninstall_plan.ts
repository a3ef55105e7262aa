import { sha256Hex } from "./_hash.ts";
import { parseJsonObject } from "./_json_object.ts";
import { crontabUpdate, removeCrontabLines } from "./crontab_entry.ts";
import type { InstallManifest } from "./install_manifest.ts";
import type { PlanAction } from "./install_plan.ts";
import { renderSettingsJson, unmergeSettings } from "./settings_merge.ts";

/** What uninstall found on the machine. */
export interface UninstallFacts {
  /** The manifest install stored. */
  manifest: InstallManifest;
  /** Its path. */
  manifestPath: string;
  /** Current bytes of the files the plan reads (settings, backup, ccgate's files). */
  files: Map<string, Uint8Array | undefined>;
  /** The current crontab, when the schedule is cron. */
  crontab?: string;
  /** The permission bits of the settings file. */
  settingsMode?: number;
}

/** What {@linkcode planUninstall} returns. */
export interface UninstallPlan {
  /** The steps, in order. */
  actions: PlanAction[];
  /** Things left in place, with why (the user changed them). */
  kept: string[];
}

/** Steps and what was kept, from one part of an uninstall. */
interface UndoPart {
  actions: PlanAction[];
  kept: string[];
}

/** Stops a schedule: its undo commands (allowed to fail), and ccgate's crontab lines removed. */
function stopSchedule(
  schedule: InstallManifest["schedule"],
  crontab: string | undefined,
): PlanAction[] {
  const actions: PlanAction[] = [];
  for (const undo of schedule?.undo ?? []) {
    actions.push({ kind: "run", ...undo, mayFail: true, why: "stop the refresh schedule" });
  }
  if (schedule?.kind === "cron" && crontab !== undefined) {
    const update = crontabUpdate(
      crontab,
      removeCrontabLines(crontab),
      "remove ccgate's crontab lines",
    );
    if (update) actions.push(update);
  }
  return actions;
}

/**
 * Gives a settings file back: the first backup byte for byte when the file
 * is untouched since install, else only ccgate's keys removed.
 */
async function restoreSettings(
  settings: NonNullable<InstallManifest["settings"]>,
  files: Map<string, Uint8Array | undefined>,
  settingsMode: number | undefined,
): Promise<UndoPart> {
  const actions: PlanAction[] = [];
  const kept: string[] = [];
  const current = files.get(settings.path);
  if (current === undefined) return { actions, kept };
  const untouched = await sha256Hex(current) === settings.writtenSha256;
  const restore = settings.restore;
  if (untouched && restore.kind === "backup") {
    const backup = files.get(restore.backup);
    if (backup !== undefined && await sha256Hex(backup) === restore.originalSha256) {
      actions.push({
        kind: "write",
        path: settings.path,
        data: backup,
        mode: restore.mode,
        why: "restore the settings as they were before install",
      });
      actions.push({ kind: "remove", path: restore.backup, why: "the backup, restored" });
      return { actions, kept };
    }
  } else if (untouched && restore.kind === "remove") {
    actions.push({ kind: "remove", path: settings.path, why: "settings install created" });
    return { actions, kept };
  }
  const parsed = parseJsonObject(current);
  if (parsed === undefined) {
    kept.push(`${settings.path} (not valid JSON any more: remove ccgate's keys by hand)`);
    return { actions, kept };
  }
  const back = unmergeSettings(parsed, settings.owned);
  if (JSON.stringify(back) === JSON.stringify(parsed)) {
    // Nothing of ccgate's left in it: leave the file as it is.
  } else if (Object.keys(back).length === 0 && restore.kind === "remove") {
    actions.push({ kind: "remove", path: settings.path, why: "settings install created" });
  } else {
    actions.push({
      kind: "write",
      path: settings.path,
      data: new TextEncoder().encode(renderSettingsJson(back)),
      mode: settingsMode ?? 0o600,
      why: "remove ccgate's keys (the file changed since install; the rest is kept)",
    });
  }
  if (restore.kind !== "remove") kept.push(`${restore.backup} (backup, not restored)`);
  return { actions, kept };
}

/** Removes ccgate's files that still hold what install wrote (the others are kept), and its logs. */
async function removeFiles(
  owned: InstallManifest["files"],
  extraFiles: string[],
  files: Map<string, Uint8Array | undefined>,
): Promise<UndoPart> {
  const actions: PlanAction[] = [];
  const kept: string[] = [];
  for (const file of owned) {
    const current = files.get(file.path);
    if (current === undefined) continue;
    if (await sha256Hex(current) !== file.sha256) {
      kept.push(`${file.path} (changed since install)`);
      continue;
    }
    actions.push({ kind: "remove", path: file.path, why: "installed by ccgate" });
  }
  for (const path of extraFiles) {
    actions.push({ kind: "remove", path, why: "written for ccgate" });
  }
  return { actions, kept };
}

/**
 * Plans `ccgate uninstall` from the install manifest: stop the schedule,
 * give the settings back (the first backup byte for byte when the file is
 * untouched since install, else only ccgate's keys removed), remove
 * ccgate's files (those the user replaced are kept and reported), the
 * manifest, and the folders install created once empty. Pure.
 */
export async function planUninstall(facts: UninstallFacts): Promise<UninstallPlan> {
  const { manifest } = facts;
  const settings = manifest.settings
    ? await restoreSettings(manifest.settings, facts.files, facts.settingsMode)
    : { actions: [], kept: [] };
  const files = await removeFiles(manifest.files, manifest.extraFiles, facts.files);
  const actions: PlanAction[] = [
    ...stopSchedule(manifest.schedule, facts.crontab),
    ...settings.actions,
    ...files.actions,
  ];
  actions.push({ kind: "remove", path: facts.manifestPath, why: "the install manifest" });
  for (const dir of [...manifest.dirs].reverse()) {
    actions.push({ kind: "rmdir", path: dir, why: "folder install created (when empty)" });
  }
  return { actions, kept: [...settings.kept, ...files.kept] };
}

/** What {@linkcode planUndoUncovered} reads besides the two manifests. */
export interface UndoUncoveredFacts {
  /** Current bytes of the earlier install's files, settings and backup. */
  files: Map<string, Uint8Array | undefined>;
  /** The current crontab, when the earlier schedule is cron. */
  crontab?: string;
  /** The permission bits of the earlier settings file. */
  settingsMode?: number;
}

/**
 * The part of an uninstall a re-install needs: undoes what the `previous`
 * install owned and the `next` one no longer covers (settings at another
 * path, a schedule of another kind or none, files and logs it does not write
 * any more), with the same steps and the same care as `planUninstall`. The
 * folders stay recorded (uninstall removes them once empty). Pure.
 *
 * @returns The steps (to run before the new install's), and what was kept.
 */
export async function planUndoUncovered(
  previous: InstallManifest,
  next: InstallManifest,
  facts: UndoUncoveredFacts,
): Promise<UndoPart> {
  const schedule = previous.schedule && previous.schedule.kind !== next.schedule?.kind
    ? stopSchedule(previous.schedule, facts.crontab)
    : [];
  const settings = previous.settings && previous.settings.path !== next.settings?.path
    ? await restoreSettings(previous.settings, facts.files, facts.settingsMode)
    : { actions: [], kept: [] };
  const covered = new Set(next.files.map((f) => f.path));
  const files = await removeFiles(
    previous.files.filter((f) => !covered.has(f.path)),
    previous.extraFiles.filter((path) => !next.extraFiles.includes(path)),
    facts.files,
  );
  return {
    actions: [...schedule, ...settings.actions, ...files.actions],
    kept: [...settings.kept, ...files.kept],
  };
}
