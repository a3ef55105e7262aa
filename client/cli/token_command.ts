import { SessionError } from "../errors.ts";
import { TokenSession } from "../token_session.ts";
import { loadCliConfig } from "./cli_config.ts";
import type { CliDeps } from "./cli_deps.ts";
import { configDir } from "./config_dir.ts";
import { EXIT } from "./exit_codes.ts";
import { openLock, openStore } from "./open_store.ts";

/**
 * `ccgate token`: Claude Code's `apiKeyHelper`. Prints only a valid access
 * token and a newline, refreshing it first when it expires within five
 * minutes; never prompts. Imports nothing heavy: no Hono, no AWS SDK, no
 * prompts, no JOSE, no OAuth library.
 */
export async function tokenCommand(deps: CliDeps): Promise<number> {
  const dir = configDir(deps);
  const config = await loadCliConfig(dir);
  if (config === undefined) throw new SessionError("login_required", "Not signed in");
  const session = new TokenSession(openStore(config.store, dir, deps.runner), {
    lock: openLock(dir),
    deps: { now: deps.now, fetch: deps.fetch },
  });
  const token = await session.accessToken();
  deps.stdout(token + "\n");
  return EXIT.ok;
}
