import { type LogoutResult, TokenSession } from "../token_session.ts";
import type { StoreKind } from "./cli_config.ts";
import type { CliDeps } from "./cli_deps.ts";
import { openLock, openStore } from "./open_store.ts";

/** What logging out of one store did. */
export interface StoreLogout extends LogoutResult {
  /** Where the session was kept (a file path, a keychain). */
  location: string;
}

/**
 * Logs out of one store, under the session lock: revokes its session at the
 * auth service (best effort), then forgets it whatever the outcome. A
 * session that cannot be read is deleted (`unreadable`: it cannot be
 * revoked, it ends when it expires): {@linkcode TokenSession.logout} does both.
 *
 * @param kind The store.
 * @param dir The config folder (lock, file store).
 * @param deps The CLI's dependencies.
 * @returns Whether there was a session, whether it was revoked, where it was.
 * @throws {TokenStoreError} When the store or its lock fails.
 */
export async function logoutOf(kind: StoreKind, dir: string, deps: CliDeps): Promise<StoreLogout> {
  const store = openStore(kind, dir, deps.runner);
  const result = await new TokenSession(store, {
    lock: openLock(dir),
    deps: { now: deps.now, fetch: deps.fetch, sleep: deps.sleep },
  }).logout();
  return { ...result, location: store.location };
}
