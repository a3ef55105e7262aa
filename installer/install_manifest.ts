import type { InstallOs, InstallScope } from "./claude_settings_location.ts";
import { InstallerError } from "./errors.ts";
import type { OwnedSettings } from "./settings_merge.ts";

/** A command install ran, and the one uninstall runs to undo it. */
export interface UndoCommand {
  /** The program. */
  command: string;
  /** Its arguments. */
  args: string[];
}

/**
 * How uninstall gives a settings file back: `backup` restores the first
 * install's backup byte for byte, `remove` deletes a file install created,
 * `unmerge` removes ccgate's keys (the user changed the file between installs).
 * When the file no longer holds what install wrote, uninstall always unmerges.
 */
export type SettingsRestore =
  | { kind: "backup"; backup: string; originalSha256: string; mode: number }
  | { kind: "remove" }
  | { kind: "unmerge"; backup: string };

/**
 * What `ccgate install` wrote, kept as `install.json` in the ccgate config
 * folder, so `uninstall` removes exactly that.
 */
export interface InstallManifest {
  /** Format version. */
  version: 1;
  /** User or system scope. */
  scope: InstallScope;
  /** The OS. */
  os: InstallOs;
  /** The gateway URL written into the settings. */
  gatewayUrl: string;
  /** `anthropic` or `bedrock`. */
  mode: "anthropic" | "bedrock";
  /** The installed ccgate program (what `apiKeyHelper` and the schedule run). */
  program: string;
  /** Files whose whole content is ccgate's, with their SHA-256 (removed on uninstall). */
  files: { path: string; sha256: string }[];
  /** Files others write for ccgate (logs): removed on uninstall whatever they hold. */
  extraFiles: string[];
  /** Folders install created, in creation order (removed on uninstall when empty). */
  dirs: string[];
  /** The Claude Code settings file ccgate merged into or owns. */
  settings?: {
    path: string;
    kind: "merged" | "drop-in";
    owned: OwnedSettings;
    /** How uninstall gives the file back when it still holds what install wrote. */
    restore: SettingsRestore;
    /** SHA-256 of what install last wrote. */
    writtenSha256: string;
  };
  /** The refresh schedule. */
  schedule?: { kind: "systemd" | "cron" | "launchd" | "schtasks"; undo: UndoCommand[] };
  /** Claude Code installed from a mirror. */
  claudeCode?: { path: string; version: string };
}

/** The manifest's file name in the config folder. */
export const MANIFEST_NAME = "install.json";

/** Parses a stored manifest. */
export function parseInstallManifest(text: string, path: string): InstallManifest {
  const corrupt = (what: string) =>
    new InstallerError(
      "manifest_corrupt",
      `Cannot read "${path}": ${what}; move or delete "${path}" and run the command again`,
    );
  let value: Partial<InstallManifest>;
  try {
    value = JSON.parse(text);
  } catch {
    throw corrupt("not JSON");
  }
  if (
    value?.version !== 1 || !Array.isArray(value.files) || !Array.isArray(value.dirs) ||
    typeof value.program !== "string"
  ) {
    throw corrupt("not an install manifest");
  }
  return value as InstallManifest;
}

/** Renders a manifest (stable: same manifest, same bytes). */
export function renderInstallManifest(manifest: InstallManifest): string {
  return JSON.stringify(manifest, null, 2) + "\n";
}
