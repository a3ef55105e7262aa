/** Where `ccgate install` writes Claude Code's settings. */
export type InstallScope = "user" | "system";

/** The operating systems the installer renders for. */
export type InstallOs = "linux" | "darwin" | "windows";

/** The settings files of one install, as {@linkcode claudeSettingsLocation} returns them. */
export interface ClaudeSettingsLocation {
  /**
   * The file ccgate writes. User scope: `~/.claude/settings.json`, merged.
   * System scope: ccgate's own drop-in in `managed-settings.d/` where the
   * installed Claude Code reads drop-ins, else `managed-settings.json` itself
   * (merged, like the user file).
   */
  path: string;
  /** Whether `path` is a file only ccgate writes (a drop-in) or a shared file to merge into. */
  kind: "drop-in" | "merged";
  /** The managed settings folder (system scope). */
  managedDir?: string;
}

/**
 * Claude Code's managed settings folder per OS. Confirmed against the bundle of
 * `@anthropic-ai/claude-code` 2.1.197 (`bin/claude.exe`; its path helper reads
 * `case"macos":return"/Library/Application Support/ClaudeCode";case"windows":return"C:\\Program Files\\ClaudeCode";default:return"/etc/claude-code"`,
 * and the drop-in folder is `join(<that>, "managed-settings.d")`) and the docs
 * (https://code.claude.com/docs/en/settings, "Settings files").
 */
export const MANAGED_SETTINGS_DIR: Readonly<Record<InstallOs, string>> = {
  linux: "/etc/claude-code",
  darwin: "/Library/Application Support/ClaudeCode",
  windows: "C:\\Program Files\\ClaudeCode",
};

/**
 * The Windows folder Claude Code read before 2.1.2. The changelog of 2.1.2:
 * "Deprecated Windows managed settings path `C:\ProgramData\ClaudeCode` -
 * administrators should migrate to `C:\Program Files\ClaudeCode`" (quoted in
 * anthropics/claude-code#18720); the 2.1.197 bundle no longer contains it.
 */
export const LEGACY_WINDOWS_MANAGED_SETTINGS_DIR = "C:\\ProgramData\\ClaudeCode";

/** The first Claude Code that reads `managed-settings.d/*.json` drop-ins (issue 5, the docs). */
export const DROP_IN_MIN_VERSION = "2.1.83";
/** The first Claude Code that reads `C:\Program Files\ClaudeCode` (and no longer `C:\ProgramData`). */
export const PROGRAM_FILES_MIN_VERSION = "2.1.2";

/** The name of ccgate's drop-in file (sorted late so it wins over the admin's earlier ones). */
export const DROP_IN_NAME = "50-ccgate.json";

/** Compares dotted versions numerically: negative, zero or positive. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((p) => Number.parseInt(p, 10));
  const pb = b.split(/[.-]/).map((p) => Number.parseInt(p, 10));
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] || 0) - (pb[i] || 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Options of {@linkcode claudeSettingsLocation}. */
export interface ClaudeSettingsLocationOptions {
  /** The OS rendered for. */
  os: InstallOs;
  /** User or system scope. */
  scope: InstallScope;
  /** The user's home folder (user scope). */
  home: string;
  /**
   * The installed Claude Code's version, when known. Unknown is taken as
   * current (drop-ins, `C:\Program Files`).
   */
  claudeVersion?: string;
}

/**
 * Where ccgate writes Claude Code's settings, for an OS, a scope and the
 * installed Claude Code version. Pure.
 *
 * @example
 * ```ts
 * import { claudeSettingsLocation } from "./claude_settings_location.ts";
 * const loc = claudeSettingsLocation({ os: "linux", scope: "system", home: "/home/u" });
 * console.assert(loc.path === "/etc/claude-code/managed-settings.d/50-ccgate.json");
 * ```
 */
export function claudeSettingsLocation(
  options: ClaudeSettingsLocationOptions,
): ClaudeSettingsLocation {
  const sep = options.os === "windows" ? "\\" : "/";
  if (options.scope === "user") {
    return { path: [options.home, ".claude", "settings.json"].join(sep), kind: "merged" };
  }
  const version = options.claudeVersion;
  let dir = MANAGED_SETTINGS_DIR[options.os];
  if (
    options.os === "windows" && version !== undefined &&
    compareVersions(version, PROGRAM_FILES_MIN_VERSION) < 0
  ) {
    dir = LEGACY_WINDOWS_MANAGED_SETTINGS_DIR;
  }
  if (version === undefined || compareVersions(version, DROP_IN_MIN_VERSION) >= 0) {
    return {
      path: [dir, "managed-settings.d", DROP_IN_NAME].join(sep),
      kind: "drop-in",
      managedDir: dir,
    };
  }
  return { path: [dir, "managed-settings.json"].join(sep), kind: "merged", managedDir: dir };
}
