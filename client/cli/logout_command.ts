import { TokenSession } from "../token_session.ts";
import { loadCliConfig } from "./cli_config.ts";
import type { CliDeps } from "./cli_deps.ts";
import { configDir } from "./config_dir.ts";
import { EXIT } from "./exit_codes.ts";
import { openLock, openStore } from "./open_store.ts";
import type { Style } from "./style.ts";

/**
 * `ccgate logout`: revokes the session at the auth service (its access
 * tokens stop working at the gateway), then forgets it locally, even when
 * the revocation failed (then exit code 4 says so).
 */
export async function logoutCommand(deps: CliDeps, style: Style): Promise<number> {
  const dir = configDir(deps);
  const config = await loadCliConfig(dir);
  if (config === undefined) {
    deps.stderr("Not signed in.\n");
    return EXIT.ok;
  }
  const session = new TokenSession(openStore(config.store, dir, deps.runner), {
    lock: openLock(dir),
    deps: { now: deps.now, fetch: deps.fetch },
  });
  const result = await session.logout();
  if (!result.hadSession) {
    deps.stderr("Not signed in.\n");
    return EXIT.ok;
  }
  if (!result.revoked) {
    deps.stderr(
      `${style.yellow("Signed out on this machine")}, but the session could not be revoked: ${
        result.error?.message ?? "unknown error"
      }\n`,
    );
    return EXIT.unavailable;
  }
  deps.stderr(`${style.green("Signed out")} of ${config.url}; the session is revoked.\n`);
  return EXIT.ok;
}
