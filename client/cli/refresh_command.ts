import { SessionError } from "../errors.ts";
import type { CliDeps } from "./cli_deps.ts";
import { EXIT } from "./exit_codes.ts";
import { openSession } from "./open_session.ts";

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
  const session = await openSession(deps);
  if (session === undefined) throw new SessionError("login_required", "Not signed in");
  await session.refresh(options.force ? {} : { ifExpiresWithinSeconds: REFRESH_WINDOW_SECONDS });
  return EXIT.ok;
}
