import type { CliDeps } from "./cli_deps.ts";
import { EXIT, exitCodeOf } from "./exit_codes.ts";
import { colorEnabled, createStyle } from "./style.ts";

const LOGIN_REQUIRED_LINE = "Not signed in or session ended: run `ccgate login`";

/**
 * Runs the `ccgate` CLI with `args` (without the program name) and returns
 * the exit code. `ccgate token` alone takes a fast path that loads neither
 * commander nor any command but its own; every other command line goes
 * through commander, and each command's module is imported only when it runs.
 */
export async function runCli(args: string[], deps: CliDeps): Promise<number> {
  const debug = args.includes("--debug");
  const color = !args.includes("--no-color") && colorEnabled(deps.isTerminal, deps.env);
  const style = createStyle(color);
  try {
    if (args.length === 1 && args[0] === "token") {
      const { tokenCommand } = await import("./token_command.ts");
      return await tokenCommand(deps);
    }
    const { runProgram } = await import("./program.ts");
    return await runProgram(args, deps, style, color);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("commander.")) {
      const commanderExit = (err as { exitCode: number }).exitCode;
      return commanderExit === 0 ? EXIT.ok : EXIT.usage;
    }
    const exit = exitCodeOf(err);
    const message = exit === EXIT.loginRequired
      ? LOGIN_REQUIRED_LINE
      : err instanceof Error
      ? err.message
      : String(err);
    deps.stderr(`ccgate: ${message.split("\n")[0]}\n`);
    if (debug && err instanceof Error && err.stack) deps.stderr(err.stack + "\n");
    return exit;
  }
}
