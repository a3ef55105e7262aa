import { TokenSession } from "../token_session.ts";
import { loadCliConfig } from "./cli_config.ts";
import type { CliDeps } from "./cli_deps.ts";
import { configDir } from "./config_dir.ts";
import { openLock, openStore } from "./open_store.ts";

/**
 * The signed-in session of this machine: the store `ccgate login` chose,
 * under the cross-process lock, with the CLI's clock, `fetch` and `sleep`.
 *
 * @param deps The CLI's dependencies.
 * @returns The session, or `undefined` when nobody has signed in.
 */
export async function openSession(deps: CliDeps): Promise<TokenSession | undefined> {
  const dir = configDir(deps);
  const config = await loadCliConfig(dir);
  if (config === undefined) return undefined;
  return new TokenSession(openStore(config.store, dir, deps.runner), {
    lock: openLock(dir),
    deps: { now: deps.now, fetch: deps.fetch, sleep: deps.sleep },
  });
}
