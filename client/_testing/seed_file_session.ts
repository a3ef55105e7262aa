/**
 * Test helper: signs `oid` in through the library (the token exchange at a
 * real auth service) into a file store in `dir`, as `ccgate login --store
 * file` leaves it, its `config.json` included unless `config` is false.
 *
 * @module
 */
import type { AuthStack } from "../../testing/auth_stack.ts";
import { saveCliConfig } from "../cli/cli_config.ts";
import { exchangeToken } from "../exchange_token.ts";
import { FileTokenStore } from "../file_token_store.ts";
import { TokenSession } from "../token_session.ts";

/** Stores a fresh session of `oid` in `dir/session.json` (and `dir/config.json`). */
export async function seedFileSession(
  stack: AuthStack,
  dir: string,
  options: { oid?: string; config?: boolean } = {},
): Promise<void> {
  const entraToken = await stack.entra.mintAccessToken({
    user: { oid: options.oid ?? "oid-alice" },
  });
  const tokens = await exchangeToken(`${stack.url}/oauth/token`, entraToken);
  await new TokenSession(new FileTokenStore(`${dir}/session.json`)).start({
    issuer: stack.url,
    tokenEndpoint: `${stack.url}/oauth/token`,
    revocationEndpoint: `${stack.url}/oauth/revoke`,
  }, tokens);
  if (options.config ?? true) await saveCliConfig(dir, { url: stack.url, store: "file" });
}
