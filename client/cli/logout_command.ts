import { TokenStoreError } from "../errors.ts";
import { type CliConfig, loadCliConfig, type StoreKind } from "./cli_config.ts";
import type { CliDeps } from "./cli_deps.ts";
import { configDir } from "./config_dir.ts";
import { EXIT } from "./exit_codes.ts";
import { logoutOf, type StoreLogout } from "./logout_of.ts";
import { detectStore } from "./open_store.ts";
import type { Style } from "./style.ts";

/**
 * `ccgate logout`: revokes the session at the auth service (its access
 * tokens stop working at the gateway), then forgets it locally, even when
 * the revocation failed (then exit code 4 says so). A session that cannot be
 * read is deleted (it cannot be revoked: it ends when it expires). When
 * `config.json` is corrupt, it says so and logs out of the file store and of
 * this machine's keychain, since the configured store is unknown.
 */
export async function logoutCommand(deps: CliDeps, style: Style): Promise<number> {
  const dir = configDir(deps);
  let config: CliConfig | undefined;
  let kinds: StoreKind[];
  try {
    config = await loadCliConfig(dir);
    if (config === undefined) {
      deps.stderr("Not signed in.\n");
      return EXIT.ok;
    }
    kinds = [config.store];
  } catch (err) {
    if (!(err instanceof TokenStoreError && err.code === "store_corrupt")) throw err;
    deps.stderr(`ccgate: ${err.message}\n`);
    kinds = [...new Set<StoreKind>(["file", await detectStore(deps.os, deps.runner)])];
  }
  const results: StoreLogout[] = [];
  for (const kind of kinds) results.push(await logoutOf(kind, dir, deps));
  const from = config ? ` of ${config.url}` : "";
  let code: number = EXIT.ok;
  let any = false;
  for (const result of results) {
    if (!result.hadSession) continue;
    any = true;
    if (result.unreadable) {
      deps.stderr(
        `${
          style.yellow("Signed out on this machine")
        }: the session in "${result.location}" could not be read, so it was deleted; it could not be revoked (it ends when it expires). Run \`ccgate login\` to sign in again.\n`,
      );
    } else if (!result.revoked) {
      deps.stderr(
        `${style.yellow("Signed out on this machine")}, but the session could not be revoked: ${
          result.error?.message ?? "unknown error"
        }\n`,
      );
      code = EXIT.unavailable;
    } else {
      deps.stderr(`${style.green("Signed out")}${from}; the session is revoked.\n`);
    }
  }
  if (!any) deps.stderr("Not signed in.\n");
  return code;
}
