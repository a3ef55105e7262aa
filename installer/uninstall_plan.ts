import { sha256Hex } from "./_hash.ts";
import { parseJsonObject } from "./_json_object.ts";
import { removeCrontabLines } from "./crontab_entry.ts";
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

/**
 * Plans `ccgate uninstall` from the install manifest: stop the schedule,
 * give the settings back (the first backup byte for byte when the file is
 * untouched since install, else only ccgate's keys removed), remove
 * ccgate's files (those the user replaced are kept and reported), the
 * manifest, and the folders install created once empty. Pure.
 */
export async function planUninstall(facts: UninstallFacts): Promise<UninstallPlan> {
  const { manifest } = facts;
  const actions: PlanAction[] = [];
  const kept: string[] = [];

  for (const undo of manifest.schedule?.undo ?? []) {
    actions.push({ kind: "run", ...undo, mayFail: true, why: "stop the refresh schedule" });
  }
  if (manifest.schedule?.kind === "cron" && facts.crontab !== undefined) {
    const next = removeCrontabLines(facts.crontab);
    if (next !== facts.crontab) {
      actions.push({
        kind: "run",
        command: "crontab",
        args: ["-"],
        stdin: next,
        why: "remove ccgate's crontab lines",
      });
    }
  }

  const settings = manifest.settings;
  if (settings) {
    const current = facts.files.get(settings.path);
    if (current !== undefined) {
      const untouched = await sha256Hex(current) === settings.writtenSha256;
      const restore = settings.restore;
      let done = false;
      if (untouched && restore.kind === "backup") {
        const backup = facts.files.get(restore.backup);
        if (backup !== undefined && await sha256Hex(backup) === restore.originalSha256) {
          actions.push({
            kind: "write",
            path: settings.path,
            data: backup,
            mode: restore.mode,
            why: "restore the settings as they were before install",
          });
          actions.push({ kind: "remove", path: restore.backup, why: "the backup, restored" });
          done = true;
        }
      } else if (untouched && restore.kind === "remove") {
        actions.push({ kind: "remove", path: settings.path, why: "settings install created" });
        done = true;
      }
      if (!done) {
        const parsed = parseJsonObject(current);
        if (parsed === undefined) {
          kept.push(`${settings.path} (not valid JSON any more: remove ccgate's keys by hand)`);
        } else {
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
              mode: facts.settingsMode ?? 0o600,
              why: "remove ccgate's keys (the file changed since install; the rest is kept)",
            });
          }
          if (restore.kind !== "remove") kept.push(`${restore.backup} (backup, not restored)`);
        }
      }
    }
  }

  for (const file of manifest.files) {
    const current = facts.files.get(file.path);
    if (current === undefined) continue;
    if (await sha256Hex(current) !== file.sha256) {
      kept.push(`${file.path} (changed since install)`);
      continue;
    }
    actions.push({ kind: "remove", path: file.path, why: "installed by ccgate" });
  }
  for (const path of manifest.extraFiles) {
    actions.push({ kind: "remove", path, why: "written for ccgate" });
  }
  actions.push({ kind: "remove", path: facts.manifestPath, why: "the install manifest" });
  for (const dir of [...manifest.dirs].reverse()) {
    actions.push({ kind: "rmdir", path: dir, why: "folder install created (when empty)" });
  }
  return { actions, kept };
}
