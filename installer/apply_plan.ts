import { InstallerError } from "./errors.ts";
import type { PlanAction } from "./install_plan.ts";
import type { Sys } from "./sys.ts";

/** The parent folder of a path (either separator). */
export function parentDir(path: string): string {
  const at = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return at <= 0 ? path.slice(0, at + 1) : path.slice(0, at);
}

/** Creates `dir` and its missing parents; returns the folders it created, outermost first. */
export async function ensureDir(sys: Sys, dir: string, mode = 0o755): Promise<string[]> {
  const missing: string[] = [];
  let at = dir;
  while (at !== "" && !/^([A-Za-z]:)?[\\/]?$/.test(at) && !(await sys.exists(at))) {
    missing.unshift(at);
    at = parentDir(at);
  }
  for (const d of missing) await sys.mkdir(d, mode);
  return missing;
}

/** Describes an action in one line (dry run, verbose output). */
export function describeAction(action: PlanAction): string {
  switch (action.kind) {
    case "write":
      return `write  ${action.path} (${action.data.length} bytes, mode ${
        action.mode.toString(8)
      }): ${action.why}`;
    case "remove":
      return `remove ${action.path}: ${action.why}`;
    case "rmdir":
      return `rmdir  ${action.path}: ${action.why}`;
    case "run":
      return `run    ${[action.command, ...action.args].join(" ")}${
        action.stdin !== undefined ? " (with input)" : ""
      }: ${action.why}`;
  }
}

/**
 * Carries out planned actions in order through `sys`: writes create missing
 * folders (returned, so the manifest records them), `rmdir` removes a folder
 * only when empty, a failing command stops the run unless it `mayFail`.
 *
 * @param created Where to record the folders created (also when a step fails).
 * @returns The folders created by this call, outermost first.
 * @throws {InstallerError} `command_failed` when a command fails.
 */
export async function applyPlan(
  actions: PlanAction[],
  sys: Sys,
  created: string[] = [],
): Promise<string[]> {
  const start = created.length;
  for (const action of actions) {
    switch (action.kind) {
      case "write":
        created.push(...await ensureDir(sys, parentDir(action.path), 0o755));
        await sys.writeFile(action.path, action.data, action.mode);
        break;
      case "remove":
        await sys.remove(action.path);
        break;
      case "rmdir":
        if (await sys.exists(action.path) && await sys.isEmptyDir(action.path)) {
          await sys.remove(action.path);
        }
        break;
      case "run": {
        let code: number;
        let detail: string;
        try {
          const out = await sys.run(action.command, action.args, action.stdin);
          code = out.code;
          detail = out.stderr.trim().split("\n")[0] ?? "";
        } catch (err) {
          code = -1;
          detail = err instanceof Deno.errors.NotFound ? "not installed" : String(err);
        }
        if (code !== 0 && !action.mayFail) {
          throw new InstallerError(
            "command_failed",
            `Cannot ${action.why}: \`${action.command} ${action.args.join(" ")}\` failed${
              detail ? ` (${detail})` : ""
            }`,
          );
        }
        break;
      }
    }
  }
  return created.slice(start);
}
