/**
 * Test helper: runs the real CLI as `deno task cli` would (same permissions,
 * read from the root deno.json), as a subprocess.
 *
 * @module
 */

const root = new URL("../../", import.meta.url);
const denoJson = JSON.parse(await Deno.readTextFile(new URL("deno.json", root)));
const task: string = denoJson.tasks.cli;

/** The `deno run` arguments of `deno task cli` (without the leading `deno`). */
export const CLI_ARGS: string[] = task.split(" ").slice(1);

/** What a CLI run printed. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Starts the CLI; the caller reads its output. */
export function spawnCli(args: string[], env: Record<string, string>): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [...CLI_ARGS, ...args],
    cwd: root,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Runs the CLI to completion. */
export async function runCliProcess(args: string[], env: Record<string, string>): Promise<CliRun> {
  const out = await spawnCli(args, env).output();
  const decoder = new TextDecoder();
  return {
    code: out.code,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
  };
}
