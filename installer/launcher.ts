import { assertNoLineBreak } from "./_no_line_break.ts";
import type { InstallOs } from "./claude_settings_location.ts";

/** How to start ccgate when it is not a compiled binary: `deno run` with these arguments. */
export interface DenoLauncher {
  /** The `deno` executable. */
  deno: string;
  /** Arguments after `deno` (`run`, permissions, `--config`, the main module). */
  args: string[];
}

function shQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Quotes one word of a `.cmd` file: `%` is doubled (a batch file expands `%name%` even in quotes). */
function cmdQuote(arg: string): string {
  const text = arg.replace(/%/g, "%%");
  return /^[A-Za-z0-9_@%+=:,./\\-]+$/.test(arg) ? text : `"${text.replace(/"/g, '""')}"`;
}

/**
 * Renders the launcher `ccgate install` writes under `deno run` (no compiled
 * binary to copy): a POSIX shell script, or a `.cmd` on Windows, that runs
 * the same module with the same permissions. Pure.
 *
 * @throws {InstallerError} `usage` for a line break in a path of a `.cmd` file.
 */
export function renderLauncher(os: InstallOs, launcher: DenoLauncher): string {
  if (os === "windows") {
    assertNoLineBreak([launcher.deno, ...launcher.args], "ccgate.cmd launcher");
    return `@echo off\r\n${[launcher.deno, ...launcher.args].map(cmdQuote).join(" ")} %*\r\n`;
  }
  return `#!/bin/sh\n# ccgate launcher written by \`ccgate install\`\nexec ${
    [launcher.deno, ...launcher.args].map(shQuote).join(" ")
  } "$@"\n`;
}

/** Quotes a program for a shell command line (`apiKeyHelper` runs through a shell). */
export function quoteProgram(os: InstallOs, program: string): string {
  if (!/[\s"'$`\\&|;<>()]/.test(program) || (os === "windows" && !/[\s"&|<>()^]/.test(program))) {
    return program;
  }
  return os === "windows" ? `"${program}"` : shQuote(program);
}
