import { TokenStoreError } from "../errors.ts";
import { type LogoutResult, TokenSession } from "../token_session.ts";
import type { StoreKind } from "./cli_config.ts";
import type { CliDeps } from "./cli_deps.ts";
import { openLock, openStore } from "./open_store.ts";

/** What logging out of one store did. */
export interface StoreLogout extends LogoutResult {
  /** Where the session was kept (a file path, a keychain). */
  location: string;
  /** Set when the stored session could not be read, so it was deleted without being revoked. */
  unreadable?: true;
}

/**
 * Logs out of one store, under the session lock: revokes its session at the
 * auth service (best effort), then forgets it whatever the outcome. A
 * session that cannot be read is deleted (it cannot be revoked: it ends when
 * it expires).
 *
 * @param kind The store.
 * @param dir The config folder (lock, file store).
 * @param deps The CLI's dependencies.
 * @returns Whether there was a session, whether it was revoked, where it was.
 * @throws {TokenStoreError} When the store or its lock fails.
 */
export async function logoutOf(kind: StoreKind, dir: string, deps: CliDeps): Promise<StoreLogout> {
  const store = openStore(kind, dir, deps.runner);
  const lock = openLock(dir);
  try {
    const result = await new TokenSession(store, {
      lock,
      deps: { now: deps.now, fetch: deps.fetch },
    }).logout();
    return { ...result, location: store.location };
  } catch (err) {
    if (!(err instanceof TokenStoreError && err.code === "store_corrupt")) throw err;
    const held = await lock.acquire();
    try {
      await store.clear();
    } finally {
      await held.release();
    }
    return { hadSession: true, revoked: false, location: store.location, unreadable: true };
  }
}
