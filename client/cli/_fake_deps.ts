/**
 * Test helper: CliDeps that capture output, with a scripted command runner.
 *
 * @module
 */
import type { CommandOutput, CommandRunner } from "../command_runner.ts";
import type { CliDeps } from "./cli_deps.ts";

/** CliDeps plus what was written. */
export interface CapturedDeps extends CliDeps {
  out: string[];
  err: string[];
  commands: { command: string; args: string[] }[];
}

/** Builds deps over a config folder, with `env` and a runner answering `answer`. */
export function capturedDeps(
  env: Record<string, string>,
  answer: (command: string, args: string[]) => Partial<CommandOutput> | "missing" = () => "missing",
): CapturedDeps {
  const out: string[] = [];
  const err: string[] = [];
  const commands: CapturedDeps["commands"] = [];
  const runner: CommandRunner = (command, args) => {
    commands.push({ command, args });
    const a = answer(command, args);
    if (a === "missing") return Promise.reject(new Deno.errors.NotFound(command));
    return Promise.resolve({ code: 0, stdout: "", stderr: "", ...a });
  };
  return {
    env: (name) => env[name],
    os: "linux",
    fetch,
    runner,
    now: () => new Date(),
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    isTerminal: false,
    sleep: () => Promise.resolve(),
    out,
    err,
    commands,
  };
}
