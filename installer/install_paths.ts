import type { InstallOs, InstallScope } from "./claude_settings_location.ts";
import type { SelfProgram } from "./install_plan.ts";

/** Joins path parts with the OS separator. */
export function joinPath(os: InstallOs, ...parts: string[]): string {
  return parts.join(os === "windows" ? "\\" : "/");
}

/** Where ccgate installs itself. */
export function programPath(
  os: InstallOs,
  scope: InstallScope,
  home: string,
  env: (name: string) => string | undefined,
  self: SelfProgram["kind"],
): string {
  if (os === "windows") {
    const name = self === "binary" ? "ccgate.exe" : "ccgate.cmd";
    if (scope === "system") return `C:\\Program Files\\ccgate\\${name}`;
    const local = env("LOCALAPPDATA") ?? `${home}\\AppData\\Local`;
    return `${local}\\Programs\\ccgate\\${name}`;
  }
  return scope === "system" ? "/usr/local/bin/ccgate" : `${home}/.local/bin/ccgate`;
}

/** Where Claude Code from a mirror goes (where its own installer puts it). */
export function claudeCodePath(os: InstallOs, scope: InstallScope, home: string): string {
  if (os === "windows") {
    return scope === "system"
      ? "C:\\Program Files\\ClaudeCode\\claude.exe"
      : `${home}\\.local\\bin\\claude.exe`;
  }
  return scope === "system" ? "/usr/local/bin/claude" : `${home}/.local/bin/claude`;
}
