import { SessionError } from "../errors.ts";
import { TokenSession } from "../token_session.ts";
import { loadCliConfig } from "./cli_config.ts";
import type { CliDeps } from "./cli_deps.ts";
import { configDir } from "./config_dir.ts";
import { EXIT } from "./exit_codes.ts";
import { openLock, openStore } from "./open_store.ts";

/** Options of `ccgate refresh`. */
export interface RefreshCommandOptions {
  /** Refresh even when the token is fresh. */
  force?: boolean;
}

/** Refresh when the token expires within this many seconds (the schedule runs more often). */
export const REFRESH_WINDOW_SECONDS = 15 * 60;

/**
 * `ccgate refresh`: what the schedule runs. Refreshes the session when its
 * access token expires within 15 minutes (always with `--force`), under the
 * store's lock. Quiet on success; one line on standard error on failure.
 */
export async function refreshCommand(
  options: RefreshCommandOptions,
  deps: CliDeps,
): Promise<number> {
  const dir = configDir(deps);
  const config = await loadCliConfig(dir);
  if (config === undefined) throw new SessionError("login_required", "Not signed in");
  const session = new TokenSession(openStore(config.store, dir, deps.runner), {
    lock: openLock(dir),
    deps: { now: deps.now, fetch: deps.fetch },
  });
  await session.refresh(options.force ? {} : { ifExpiresWithinSeconds: REFRESH_WINDOW_SECONDS });
  return EXIT.ok;
}
