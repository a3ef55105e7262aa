import type { CommandRunner } from "../command_runner.ts";
import { FileLock } from "../file_lock.ts";
import { FileTokenStore } from "../file_token_store.ts";
import { MacKeychainTokenStore } from "../macos_keychain_token_store.ts";
import { SecretServiceTokenStore } from "../secret_service_token_store.ts";
import type { TokenStore } from "../token_store.ts";
import { WindowsCredentialTokenStore } from "../windows_credential_token_store.ts";
import type { StoreKind } from "./cli_config.ts";

/** Opens the token store of a kind. */
export function openStore(kind: StoreKind, dir: string, runner: CommandRunner): TokenStore {
  switch (kind) {
    case "file":
      return new FileTokenStore(`${dir}/session.json`);
    case "macos-keychain":
      return new MacKeychainTokenStore({ runner });
    case "secret-service":
      return new SecretServiceTokenStore({ runner });
    case "windows-credential-manager":
      return new WindowsCredentialTokenStore({ runner });
  }
}

/** The cross-process lock of the session, whatever the store. */
export function openLock(dir: string): FileLock {
  return new FileLock(`${dir}/session.lock`);
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
