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
 * the same module with the same permissions. When the recorded `deno` is gone
 * (an npm cache cleared, Deno moved), it runs the `deno` on `PATH` instead,
 * saying so on standard error; with none there either, the POSIX script ends
 * with one line and exit code 127. Pure.
 *
 * @throws {InstallerError} `usage` for a line break in a path of a `.cmd` file.
 */
export function renderLauncher(os: InstallOs, launcher: DenoLauncher): string {
  if (os === "windows") {
    assertNoLineBreak([launcher.deno, ...launcher.args], "ccgate.cmd launcher");
    const args = launcher.args.map(cmdQuote).join(" ");
    const deno = launcher.deno.replace(/%/g, "%%");
    return [
      "@echo off",
      `if not exist "${deno}" goto nodeno`,
      `${cmdQuote(launcher.deno)} ${args} %*`,
      "exit /b",
      ":nodeno",
      "echo ccgate: the deno `ccgate install` recorded is gone, so the deno on PATH runs ccgate; run `ccgate install` again to record it 1>&2",
      `deno ${args} %*`,
      "",
    ].join("\r\n");
  }
  return `#!/bin/sh
# ccgate launcher written by \`ccgate install\`
deno=${shQuote(launcher.deno)}
if [ ! -x "$deno" ]; then
  if ! command -v deno >/dev/null 2>&1; then
    echo "ccgate: cannot start: $deno is gone and there is no deno on PATH"'; install Deno, then run \`ccgate install\` again' >&2
    exit 127
  fi
  echo "ccgate: $deno is gone, so the deno on PATH runs ccgate"'; run \`ccgate install\` again to record it' >&2
  deno=deno
fi
exec "$deno" ${launcher.args.map(shQuote).join(" ")} "$@"
`;
}

/**
 * The `deno` a POSIX launcher written by {@linkcode renderLauncher} records,
 * and its main module; also from a launcher of an earlier ccgate (`exec
 * <deno> ... <main> "$@"`). `undefined` for a file that is not one.
 *
 * @example
 * ```ts
 * import { readLauncher, renderLauncher } from "@ccgate/installer";
 *
 * const text = renderLauncher("linux", { deno: "/usr/bin/deno", args: ["run", "/src/main.ts"] });
 * console.assert(readLauncher(text)?.deno === "/usr/bin/deno");
 * ```
 */
export function readLauncher(text: string): { deno: string; main: string } | undefined {
  if (!text.startsWith("#!/bin/sh\n# ccgate launcher")) return undefined;
  const exec = /^exec (.*)$/m.exec(text)?.[1];
  if (exec === undefined) return undefined;
  const words = shellWords(exec);
  if (words.length < 3 || words[words.length - 1] !== '"$@"') return undefined;
  let deno = words[0]!;
  if (deno === '"$deno"') {
    const assigned = /^deno=(.*)$/m.exec(text)?.[1];
    if (assigned === undefined) return undefined;
    deno = shellWords(assigned)[0] ?? "";
  }
  return { deno, main: words[words.length - 2]! };
}

/** The words of a line `shQuote` wrote (`'...'` with `'\\''` for a quote, or bare). */
function shellWords(line: string): string[] {
  return [...line.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((w) =>
    w[1] !== undefined ? w[1].replaceAll(`'\\''`, "'") : w[2]!
  );
}

/** Quotes a program for a shell command line (`apiKeyHelper` runs through a shell). */
export function quoteProgram(os: InstallOs, program: string): string {
  if (!/[\s"'$`\\&|;<>()]/.test(program) || (os === "windows" && !/[\s"&|<>()^]/.test(program))) {
    return program;
  }
  return os === "windows" ? `"${program}"` : shQuote(program);
}
