/** What a finished command produced. */
export interface CommandOutput {
  /** The exit code. */
  code: number;
  /** Standard output, as UTF-8 text. */
  stdout: string;
  /** Standard error, as UTF-8 text. */
  stderr: string;
}

/** Options of one {@linkcode CommandRunner} call. */
export interface CommandRunOptions {
  /**
   * Text written to the command's standard input (secrets go here, never in arguments).
   * @default {undefined} (no standard input)
   */
  stdin?: string;
}

/**
 * Runs an external command (`security`, `secret-tool`, `powershell.exe`,
 * `az`) and returns its output. Throws `Deno.errors.NotFound` when the
 * command does not exist. Injected everywhere a command runs, so tests use a
 * recording runner.
 */
export type CommandRunner = (
  command: string,
  args: string[],
  options?: CommandRunOptions,
) => Promise<CommandOutput>;

/**
 * The real {@linkcode CommandRunner}: `Deno.Command`, output captured,
 * standard input piped only when given.
 *
 * @param command The program to run.
 * @param args Its arguments.
 * @param options Standard input.
 * @returns Exit code, standard output and standard error.
 *
 * @example Run a command
 * ```ts
 * import { denoCommandRunner } from "@ccgate/client";
 *
 * const out = await denoCommandRunner("deno", ["--version"]);
 * console.log(out.code); // 0
 * ```
 */
export async function denoCommandRunner(
  command: string,
  args: string[],
  options: CommandRunOptions = {},
): Promise<CommandOutput> {
  const child = new Deno.Command(command, {
    args,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const out = await child.output();
  const decoder = new TextDecoder();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}
