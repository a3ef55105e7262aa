/**
 * The `ccgate` command: `deno run` (or `deno compile`) this module.
 *
 * ```sh
 * ccgate login --url https://ccgate.example.com
 * ccgate token
 * ```
 *
 * @module
 */
import { denoCommandRunner } from "../command_runner.ts";
import { runCli } from "./run_cli.ts";
import { stdoutWriter, writeAll } from "./stdout_writer.ts";

if (import.meta.main) {
  const code = await runCli(Deno.args, {
    env: (name) => Deno.env.get(name),
    os: Deno.build.os,
    fetch: globalThis.fetch,
    runner: denoCommandRunner,
    now: () => new Date(),
    stdout: stdoutWriter(Deno.stdout),
    stderr: (text) => writeAll(Deno.stderr, text),
    isTerminal: Deno.stderr.isTerminal(),
  });
  Deno.exit(code);
}
