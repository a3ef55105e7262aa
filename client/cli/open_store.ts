import type { CommandRunner } from "../command_runner.ts";
import { TokenStoreError } from "../errors.ts";
import { FileLock, type SessionLock, type SessionLockHandle } from "../file_lock.ts";
import { FileTokenStore } from "../file_token_store.ts";
import { MacKeychainTokenStore } from "../macos_keychain_token_store.ts";
import { SecretServiceTokenStore } from "../secret_service_token_store.ts";
import type { StoredSession, TokenStore } from "../token_store.ts";
import { WindowsCredentialTokenStore } from "../windows_credential_token_store.ts";
import { storeFailure, type StoreKind } from "./cli_config.ts";

/** A store error as the CLI shows it: what to do added, the OS error of a file named. */
function cliStoreError(err: unknown, action: string, path?: string): unknown {
  if (!(err instanceof TokenStoreError)) return err;
  if (err.code === "store_corrupt") {
    return new TokenStoreError(err.code, `${err.message}; run \`ccgate login\``, { cause: err });
  }
  if (err.code === "store_failed" && path !== undefined && err.cause instanceof Error) {
    return storeFailure(action, path, err.cause);
  }
  return err;
}

/** A store whose errors say what to do (`ccgate login`, which file to fix). */
class CliTokenStore implements TokenStore {
  readonly kind: string;
  readonly location: string;
  #store: TokenStore;
  #path?: string;

  constructor(store: TokenStore, path?: string) {
    this.#store = store;
    this.#path = path;
    this.kind = store.kind;
    this.location = store.location;
  }

  load(): Promise<StoredSession | undefined> {
    return this.#store.load().catch((err) => {
      throw cliStoreError(err, "read", this.#path);
    });
  }

  save(session: StoredSession): Promise<void> {
    return this.#store.save(session).catch((err) => {
      throw cliStoreError(err, "write", this.#path);
    });
  }

  clear(): Promise<void> {
    return this.#store.clear().catch((err) => {
      throw cliStoreError(err, "delete", this.#path);
    });
  }
}

/**
 * Opens the token store of a kind. Its errors say what to do: a corrupt
 * session asks for `ccgate login`, a file error names the path and the fix.
 */
export function openStore(kind: StoreKind, dir: string, runner: CommandRunner): TokenStore {
  switch (kind) {
    case "file": {
      const path = `${dir}/session.json`;
      return new CliTokenStore(new FileTokenStore(path), path);
    }
    case "macos-keychain":
      return new CliTokenStore(new MacKeychainTokenStore({ runner }));
    case "secret-service":
      return new CliTokenStore(new SecretServiceTokenStore({ runner }));
    case "windows-credential-manager":
      return new CliTokenStore(new WindowsCredentialTokenStore({ runner }));
  }
}

/** The cross-process lock of the session, whatever the store; its errors name the fix. */
export function openLock(dir: string): SessionLock {
  const path = `${dir}/session.lock`;
  const lock = new FileLock(path);
  return {
    acquire: (): Promise<SessionLockHandle> =>
      lock.acquire().catch((err) => {
        throw cliStoreError(err, "open the lock file", path);
      }),
  };
}

/**
 * Checks, before a sign-in, that its session can be kept: the config folder
 * is a folder that takes new files, the lock opens, and the store can be read
 * (a corrupt session is fine: the new one replaces it). So a sign-in never
 * ends in a session that cannot be stored.
 *
 * @throws {TokenStoreError} Naming the path or store that failed, and the fix.
 */
export async function checkStore(
  kind: StoreKind,
  dir: string,
  runner: CommandRunner,
): Promise<void> {
  try {
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    if (err instanceof Deno.errors.AlreadyExists) {
      throw new TokenStoreError(
        "store_failed",
        `Cannot use "${dir}" as the ccgate config folder: it is a file; move it away or set CCGATE_CONFIG_DIR`,
        { cause: err },
      );
    }
    throw storeFailure("create", dir, err);
  }
  const held = await openLock(dir).acquire();
  try {
    const probe = `${dir}/.write-check.${crypto.randomUUID()}.tmp`;
    try {
      await Deno.writeTextFile(probe, "", { createNew: true, mode: 0o600 });
    } catch (err) {
      throw storeFailure("create files in", dir, err, dir);
    }
    await Deno.remove(probe).catch(() => {});
    await openStore(kind, dir, runner).load().catch((err) => {
      if (err instanceof TokenStoreError && err.code === "store_corrupt") return;
      throw err;
    });
  } finally {
    await held.release();
  }
}

/**
 * Picks the best store on this machine: the OS keychain where there is one
 * (the Secret Service only when `secret-tool` answers), else a 0600 file.
 */
export async function detectStore(
  os: typeof Deno.build.os,
  runner: CommandRunner,
): Promise<StoreKind> {
  if (os === "darwin") return "macos-keychain";
  if (os === "windows") return "windows-credential-manager";
  try {
    const probe = await runner("secret-tool", ["lookup", "service", "ccgate", "account", "probe"]);
    if (probe.code === 0 || probe.stderr.trim() === "") return "secret-service";
  } catch {
    // not installed
  }
  return "file";
}
