/**
 * Test helper: a command runner that records calls and answers from a script.
 *
 * @module
 */
import type { CommandOutput, CommandRunner, CommandRunOptions } from "../command_runner.ts";

/** One recorded call. */
export interface Call {
  command: string;
  args: string[];
  stdin?: string;
}

/** A runner that records calls and answers from a script. */
export function recordingRunner(answer: (call: Call) => Partial<CommandOutput>): {
  runner: CommandRunner;
  calls: Call[];
} {
  const calls: Call[] = [];
  const runner: CommandRunner = (command, args, options: CommandRunOptions = {}) => {
    const call = { command, args, stdin: options.stdin };
    calls.push(call);
    return Promise.resolve({ code: 0, stdout: "", stderr: "", ...answer(call) });
  };
  return { runner, calls };
}

/** A runner whose program is not installed. */
export const missing: CommandRunner = () =>
  Promise.reject(new Deno.errors.NotFound("no such program"));
