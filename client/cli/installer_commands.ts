import { type Command, Option } from "@commander-js/extra-typings";
import type { CliDeps } from "./cli_deps.ts";
import { osFailure } from "./os_failure.ts";
import type { Style } from "./style.ts";

/** Adds a command's shared help and output settings (program.ts's `withHelp`). */
type WithHelp = <T extends Command<[], Record<string, unknown>>>(cmd: T) => T;

/** Rethrows a command's error, a refused file operation as exit code 7 (see `osFailure`). */
const rethrow = (command: string) => (err: unknown): never => {
  throw osFailure(command, err);
};

/**
 * Registers `install`, `uninstall`, `doctor` and `mirror` (each command's
 * module, and the installer, load only when it runs).
 */
export function registerInstallerCommands(
  program: Command<[], Record<string, unknown>>,
  withHelp: WithHelp,
  deps: CliDeps,
  style: Style,
  color: boolean,
  setExit: (code: number) => void,
): void {
  withHelp(
    program.command("install")
      .description(
        "Make this machine a ccgate workstation: ccgate in a stable place, Claude Code's settings, a refresh schedule; then sign in and run doctor.",
      )
      .option("--url <url>", "the ccgate URL (default: CCGATE_URL, else the last one used)")
      .addOption(
        new Option("--scope <scope>", "user settings, or managed settings for every user").choices([
          "user",
          "system",
        ]).default("user"),
      )
      .addOption(
        new Option(
          "--mode <mode>",
          "Claude Code speaks the Anthropic API, or its Bedrock mode, to the gateway",
        ).choices(["anthropic", "bedrock"]).default("anthropic"),
      )
      .option("--dry-run", "print every file and command it would write or run; change nothing")
      .option(
        "--no-login",
        "do not sign in, nor check first that the URL answers (scripted installs, golden images)",
      )
      .option("--no-schedule", "do not schedule `ccgate refresh`")
      .option("--interval <minutes>", "minutes between scheduled refreshes", "10")
      .option(
        "--token-ttl <seconds>",
        "the ccgate access token lifetime (sets Claude Code's helper TTL a little under it)",
        "3600",
      )
      .option("--model <model>", "Claude Code's default model")
      .option(
        "--policy <file>",
        "a JSON settings fragment merged in (deny rules, managed MCP servers)",
      )
      .option("--allow-web-search", "do not deny WebSearch (Bedrock does not offer it)")
      .option(
        "--emit <kind>",
        "write MDM files (mdm: .mobileconfig, .reg, .ps1, Linux drop-in) instead of installing",
      )
      .option("--out <dir>", "where --emit writes", ".")
      .option("--with-claude-code", "also install Claude Code from the ccgate mirror, verified")
      .option(
        "--claude-code-version <version>",
        "stable, latest or x.y.z (with --with-claude-code)",
      )
      .option("--mirror-url <url>", "the mirror (default: <ccgate URL>/install)")
      .action(async (options) => {
        const { installCommand } = await import("./install_command.ts");
        setExit(await installCommand(options, deps, style, color).catch(rethrow("install")));
      }),
  );

  withHelp(
    program.command("uninstall")
      .description(
        "Revoke the session and remove exactly what install added, giving back what it took over (exit 4: the session could not be revoked).",
      )
      .addOption(
        new Option("--scope <scope>", "the scope installed (checked against the record)").choices([
          "user",
          "system",
        ]),
      )
      .option("--dry-run", "print what it would remove; change nothing")
      .action(async (options) => {
        const { uninstallCommand } = await import("./uninstall_command.ts");
        setExit(await uninstallCommand(options, deps, style).catch(rethrow("uninstall")));
      }),
  );

  withHelp(
    program.command("doctor")
      .description(
        "Check config, settings, schedule, session, gateway (does it take the token), clock, Claude Code and what would route it around ccgate; a fix for each problem.",
      )
      .option("--url <url>", "the ccgate URL (default: CCGATE_URL, else the one signed in to)")
      .option("--json", "print JSON")
      .action(async (options) => {
        const { doctorCommand } = await import("./doctor_command.ts");
        setExit(await doctorCommand(options, deps, style));
      }),
  );

  withHelp(
    program.command("mirror")
      .description(
        "Admin: mirror Claude Code release binaries (verified, resumable) for /install/.",
      )
      .requiredOption("--out <dir>", "the mirror folder")
      .option("--version <version>", "latest, stable or x.y.z", "stable")
      .addOption(new Option("--release <version>").hideHelp())
      .option(
        "--platform <platform...>",
        "platforms, e.g. linux-x64 darwin-arm64 win32-x64 (default: all)",
      )
      .option("--base-url <url>", "the release bucket (default: Anthropic's)")
      .action(async (options) => {
        const { mirrorCommand } = await import("./mirror_command.ts");
        setExit(
          await mirrorCommand(
            { ...options, version: options.release ?? options.version },
            deps,
            style,
          ).catch(rethrow("mirror")),
        );
      }),
  );
}
