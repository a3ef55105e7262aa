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

if (import.meta.main) {
  const code = await runCli(Deno.args, {
    env: (name) => Deno.env.get(name),
    os: Deno.build.os,
    fetch: globalThis.fetch,
    runner: denoCommandRunner,
    now: () => new Date(),
    stdout: (text) => writeAll(Deno.stdout, text),
    stderr: (text) => writeAll(Deno.stderr, text),
    isTerminal: Deno.stderr.isTerminal(),
  });
  Deno.exit(code);
}

function writeAll(stream: typeof Deno.stdout, text: string): void {
  const bytes = new TextEncoder().encode(text);
  let written = 0;
  while (written < bytes.length) written += stream.writeSync(bytes.subarray(written));
}
