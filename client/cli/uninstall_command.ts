import { describeAction, readInstallManifest, uninstall } from "@ccgate/installer";
import type { CliDeps } from "./cli_deps.ts";
import { configDir } from "./config_dir.ts";
import { EXIT, UsageError } from "./exit_codes.ts";
import { machineSys, sessionFacts } from "./installer_deps.ts";
import type { Style } from "./style.ts";
import { TOKEN_HANDOUT_FILE } from "./token_handout.ts";

/** Options of `ccgate uninstall`. */
export interface UninstallCommandOptions {
  scope?: string;
  dryRun?: boolean;
}

/**
 * `ccgate uninstall`: revokes and forgets the session, then removes exactly
 * what install added (from its manifest): schedule, the settings keys it
 * owns, the program copy. A session that could not be revoked does not stop
 * the removal, but the exit code says so (logout's, 4), so that an
 * offboarding script notices a session left live until it expires.
 */
export async function uninstallCommand(
  options: UninstallCommandOptions,
  deps: CliDeps,
  style: Style,
): Promise<number> {
  const dir = configDir(deps);
  const sys = machineSys(deps);
  const manifest = await readInstallManifest(sys, dir);
  if (manifest === undefined) {
    deps.stderr("Not installed: nothing to remove.\n");
    return EXIT.ok;
  }
  if (options.scope !== undefined && options.scope !== manifest.scope) {
    throw new UsageError(
      `Cannot uninstall --scope ${options.scope}: ccgate is installed with --scope ${manifest.scope}`,
    );
  }
  const signedIn = (await sessionFacts(deps).catch(() => ({ signedIn: false }))).signedIn;
  let signOut: number = EXIT.ok;
  if (signedIn && options.dryRun) {
    deps.stdout("sign out: revoke this machine's ccgate session and forget it\n");
  } else if (signedIn) {
    const { logoutCommand } = await import("./logout_command.ts");
    signOut = await logoutCommand(deps, style);
  }
  if (!options.dryRun && manifest.dirs.includes(dir)) {
    // install created the config folder: what login put there (no secret after logout) goes too.
    for (const name of ["config.json", "session.json", "session.lock", TOKEN_HANDOUT_FILE]) {
      await sys.remove(`${dir}/${name}`);
    }
  }
  const result = await uninstall({ configDir: dir, dryRun: options.dryRun }, sys);
  const write = options.dryRun ? deps.stdout : deps.stderr;
  for (const action of result.actions) {
    write(`${options.dryRun ? "" : "  "}${describeAction(action)}\n`);
  }
  for (const kept of result.kept) deps.stderr(`${style.yellow("kept")} ${kept}\n`);
  if (options.dryRun) return EXIT.ok;
  if (signOut !== EXIT.ok) {
    deps.stderr(
      `${
        style.yellow("Uninstalled")
      } ccgate from this machine, but its session is not revoked (see above): it stays valid until it expires, unless an admin revokes it.\n`,
    );
    return signOut;
  }
  deps.stderr(`${style.green("Uninstalled")} ccgate from this machine.\n`);
  return EXIT.ok;
}
