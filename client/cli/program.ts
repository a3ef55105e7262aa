import { Command, Option } from "@commander-js/extra-typings";
import type { CliDeps } from "./cli_deps.ts";
import { EXIT, EXIT_CODES_HELP } from "./exit_codes.ts";
import type { Style } from "./style.ts";

/** The CLI's version (the package's). */
export const CLI_VERSION = "0.1.0";

/**
 * Parses `args` with commander and runs the command; throws what the command
 * throws (commander's own errors carry `code: "commander.*"`). Each command's
 * module is imported only when it runs.
 */
export async function runProgram(
  args: string[],
  deps: CliDeps,
  style: Style,
  color: boolean,
): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command("ccgate")
    .description("Sign in to ccgate and feed Claude Code short-lived tokens.")
    .version(CLI_VERSION, "-V, --version")
    .option("--debug", "print stack traces of errors")
    .option("--no-color", "never use colour (also: NO_COLOR, or when not a terminal)")
    .showSuggestionAfterError()
    // Root options only before the command, so a command may have its own `--version` (`mirror`).
    .enablePositionalOptions()
    .addHelpText("after", EXIT_CODES_HELP)
    .configureOutput({
      writeOut: (s) => deps.stdout(s),
      writeErr: (s) => deps.stderr(s),
      // One line, as every ccgate error: commander's suggestion ("Did you mean token?") joins it.
      outputError: (s, write) =>
        write(`ccgate: ${s.replace(/^error: /, "").trim().split("\n").join(" ")}\n`),
    })
    .exitOverride();
  const withHelp = <T extends Command<[], Record<string, unknown>>>(cmd: T): T => {
    cmd.addHelpText("after", EXIT_CODES_HELP);
    cmd.configureOutput(program.configureOutput()).exitOverride();
    // run_cli reads --debug and --no-color from the raw arguments: accept them after the command too.
    cmd.addOption(new Option("--debug").hideHelp()).addOption(new Option("--no-color").hideHelp());
    return cmd;
  };

  withHelp(
    program.command("login")
      .description("Sign in with Entra ID and start a ccgate session.")
      .addOption(
        new Option("--device-code", "sign in with a code on another device (no browser here)")
          .conflicts(["browser", "azureCli"]),
      )
      .addOption(
        new Option("--browser", "sign in in this machine's browser (default on a desktop)")
          .conflicts(["azureCli"]),
      )
      .addOption(new Option("--azure-cli", "reuse the Azure CLI's sign-in (az login)"))
      .option("--url <url>", "the ccgate URL (default: CCGATE_URL, else the last one used)")
      .option(
        "--store <kind>",
        "where to keep the session: auto, file, macos-keychain, secret-service, windows-credential-manager (default: CCGATE_STORE, else auto)",
      )
      .option("--authority <url>", "Entra ID authority, if ccgate does not publish it")
      .option("--client-id <id>", "Entra ID client id of the CLI, if ccgate does not publish it")
      .option("--scope <scope>", "Entra ID scope of the ccgate API, if ccgate does not publish it")
      .option("--timeout <seconds>", "browser sign-in timeout", "300")
      .option("--json", "print the result as JSON")
      .action(async (options) => {
        const { loginCommand } = await import("./login_command.ts");
        exitCode = await loginCommand(options, deps, style, color);
      }),
  );

  withHelp(
    program.command("token")
      .description(
        "Print a valid access token and a newline (Claude Code's apiKeyHelper). Never prompts.",
      )
      .action(async () => {
        const { tokenCommand } = await import("./token_command.ts");
        exitCode = await tokenCommand(deps);
      }),
  );

  withHelp(
    program.command("refresh")
      .description(
        "Refresh the session if its token expires within 15 minutes (what the schedule runs). Quiet on success.",
      )
      .option("--force", "refresh even when the token is fresh")
      .action(async (options) => {
        const { refreshCommand } = await import("./refresh_command.ts");
        exitCode = await refreshCommand(options, deps);
      }),
  );

  withHelp(
    program.command("status")
      .description("Show who is signed in, until when, where the session is kept, the gateway.")
      .option("--url <url>", "the ccgate URL (default: CCGATE_URL, else the one signed in to)")
      .option("--json", "print JSON")
      .action(async (options) => {
        const { statusCommand } = await import("./status_command.ts");
        exitCode = await statusCommand(options, deps, style);
      }),
  );

  withHelp(
    program.command("logout")
      .description("Revoke the session at ccgate, then forget it on this machine.")
      .action(async () => {
        const { logoutCommand } = await import("./logout_command.ts");
        exitCode = await logoutCommand(deps, style);
      }),
  );

  const { registerInstallerCommands } = await import("./installer_commands.ts");
  registerInstallerCommands(program, withHelp, deps, style, color, (code) => exitCode = code);

  if (args.length === 0) {
    program.outputHelp();
    return EXIT.usage;
  }
  await program.parseAsync(args, { from: "user" });
  return exitCode;
}
