/**
 * What the doctor finds about the program Claude Code's `apiKeyHelper` runs
 * (private: `checkSettings` reads it).
 *
 * @module
 */
import { readLauncher } from "./launcher.ts";
import type { Sys } from "./sys.ts";

/** What is wrong with the `apiKeyHelper`'s program, and what only deserves a warning. */
export interface ProgramFindings {
  /** Why it cannot run (each a phrase naming the program). */
  problems: string[];
  /** What the fixes are about: a mode to change, a moved checkout, a missing Deno. */
  fix?: { chmod?: true; checkout?: true; deno?: true };
  /** It runs, but not as installed: the launcher's recorded `deno` is gone and the one on `PATH` runs it. */
  warning?: string;
}

/** Whether a POSIX file exists with an execute bit (the launcher's `[ -x ]`); `undefined` when absent. */
async function executable(sys: Sys, path: string): Promise<boolean | undefined> {
  if (!(await sys.exists(path))) return undefined;
  return ((await sys.mode(path) ?? 0o755) & 0o111) !== 0;
}

/** The `deno` a launcher's `command -v deno` finds: the first executable one in `path`'s absolute folders. */
async function denoOnPath(sys: Sys, path: string): Promise<string | undefined> {
  for (const dir of path.split(":")) {
    if (!dir.startsWith("/")) continue;
    const candidate = `${dir.replace(/\/+$/, "")}/deno`;
    if (await executable(sys, candidate)) return candidate;
  }
  return undefined;
}

/**
 * Why the `apiKeyHelper`'s program cannot run: missing, not executable (POSIX
 * mode bits; Windows has none), or a launcher whose main module is gone (a
 * moved checkout) or whose recorded `deno` is gone with no `deno` on `PATH`.
 * A recorded `deno` that is gone while `PATH` has one is a warning: the
 * launcher runs that one (`renderLauncher`), and the warning says so, and
 * whether the scheduled refresh, with the `PATH` `scheduled` reads (such as
 * cron's `/usr/bin:/bin`), finds none and fails. Never runs the program.
 */
export async function programProblems(
  sys: Sys,
  program: string,
  scheduled: () => Promise<string | undefined> = () => Promise.resolve(undefined),
): Promise<ProgramFindings> {
  if (!(await sys.exists(program))) return { problems: [`${program} is missing`] };
  const mode = sys.os === "windows" ? undefined : await sys.mode(program);
  if (mode !== undefined && (mode & 0o111) === 0) {
    return {
      problems: [`${program} is not executable (mode ${mode.toString(8)})`],
      fix: { chmod: true },
    };
  }
  if (sys.os === "windows") return { problems: [] };
  const bytes = await sys.readFile(program);
  const text = bytes ? new TextDecoder().decode(bytes.subarray(0, 4096)) : "";
  if (!text.startsWith("#!/bin/sh\n# ccgate launcher")) return { problems: [] };
  const launcher = readLauncher(text);
  if (!launcher) return { problems: [`${program} is not a launcher ccgate can read`] };
  const findings: ProgramFindings = { problems: [] };
  if (launcher.deno.startsWith("/")) {
    const recorded = await executable(sys, launcher.deno);
    if (!recorded) {
      const state = recorded === undefined ? "missing" : "not executable";
      const fallback = await denoOnPath(sys, sys.env("PATH") ?? "");
      if (fallback === undefined) {
        findings.problems.push(
          `${program} starts deno ${launcher.deno}, which is ${state}, and there is no deno on PATH`,
        );
        findings.fix = { ...findings.fix, deno: true };
      } else {
        findings.warning =
          `${program} starts deno ${launcher.deno}, which is ${state}, so it runs the deno on PATH, ${fallback}`;
        // The scheduler gives the job its own PATH, not this shell's.
        const path = await scheduled();
        if (path !== undefined && await denoOnPath(sys, path) === undefined) {
          findings.warning +=
            `; the scheduled refresh, whose PATH is ${path}, finds no deno there and fails`;
        }
      }
    }
  }
  if (launcher.main.startsWith("/") && !(await sys.exists(launcher.main))) {
    findings.problems.push(`${program} starts main module ${launcher.main}, which is missing`);
    findings.fix = { ...findings.fix, checkout: true };
  }
  return findings;
}
