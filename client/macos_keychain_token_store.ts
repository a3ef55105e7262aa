import { type CommandRunner, denoCommandRunner } from "./command_runner.ts";
import { TokenStoreError } from "./errors.ts";
import { _decodeSession, _encodeSession, _fromBase64, _toBase64 } from "./_session_codec.ts";
import type { StoredSession, TokenStore } from "./token_store.ts";

/** Options of the OS keychain stores. */
export interface KeychainTokenStoreOptions {
  /**
   * The service name of the entry.
   * @default {"ccgate"}
   */
  service?: string;
  /**
   * The account name of the entry.
   * @default {"session"}
   */
  account?: string;
  /**
   * Runs the OS tool (tests pass a recording runner).
   * @default {denoCommandRunner}
   */
  runner?: CommandRunner;
}

/** `security`'s exit code for "The specified item could not be found in the keychain." */
const ITEM_NOT_FOUND = 44;

function checkName(name: string): string {
  if (!/^[\w.:/@-]+$/.test(name)) {
    throw new TypeError(`Cannot use keychain name "${name}": only letters, digits and ._:/@-`);
  }
  return name;
}

/**
 * A {@linkcode TokenStore} in the macOS login Keychain, through `/usr/bin/security`
 * (a generic password). The session is handed to `security` on standard input
 * (interactive mode), never as an argument, so other processes cannot see it
 * in the process list.
 *
 * @example Use the Keychain (with a recording runner, runnable anywhere)
 * ```ts
 * import { MacKeychainTokenStore } from "@ccgate/client";
 *
 * const calls: string[][] = [];
 * const store = new MacKeychainTokenStore({
 *   runner: (command, args) => {
 *     calls.push([command, ...args]);
 *     return Promise.resolve({ code: 44, stdout: "", stderr: "" });
 *   },
 * });
 * console.log(await store.load()); // undefined
 * console.log(calls[0]?.slice(0, 2)); // ["security", "find-generic-password"]
 * ```
 */
export class MacKeychainTokenStore implements TokenStore {
  /** Always `"macos-keychain"`. */
  readonly kind = "macos-keychain";
  /** `Keychain service "<service>", account "<account>"`. */
  readonly location: string;
  #service: string;
  #account: string;
  #runner: CommandRunner;

  /**
   * Creates the instance.
   *
   * @param options Entry names and the command runner.
   */
  constructor(options: KeychainTokenStoreOptions = {}) {
    this.#service = checkName(options.service ?? "ccgate");
    this.#account = checkName(options.account ?? "session");
    this.#runner = options.runner ?? denoCommandRunner;
    this.location = `Keychain service "${this.#service}", account "${this.#account}"`;
  }

  async #run(args: string[], stdin?: string) {
    try {
      return await this.#runner("security", args, stdin === undefined ? {} : { stdin });
    } catch (err) {
      throw new TokenStoreError(
        "store_unavailable",
        "Cannot use the macOS Keychain: the security command is not available",
        { cause: err },
      );
    }
  }

  #failed(action: string, stderr: string): TokenStoreError {
    const detail = stderr.trim().split("\n")[0] ?? "";
    return new TokenStoreError(
      "store_failed",
      `Cannot ${action} the macOS Keychain${detail ? `: ${detail}` : ""}`,
    );
  }

  /** Reads the entry; `undefined` when there is none. */
  async load(): Promise<StoredSession | undefined> {
    const out = await this.#run([
      "find-generic-password",
      "-s",
      this.#service,
      "-a",
      this.#account,
      "-w",
    ]);
    if (out.code === ITEM_NOT_FOUND) return undefined;
    if (out.code !== 0) throw this.#failed("read", out.stderr);
    let text: string;
    try {
      text = _fromBase64(out.stdout.trim());
    } catch (err) {
      throw new TokenStoreError("store_corrupt", `Cannot read the session in ${this.location}`, {
        cause: err,
      });
    }
    return _decodeSession(text, this.location);
  }

  /** Adds or updates the entry (`add-generic-password -U`), the secret on standard input. */
  async save(session: StoredSession): Promise<void> {
    const secret = _toBase64(_encodeSession(session));
    const command = `add-generic-password -U -s "${this.#service}" -a "${this.#account}" ` +
      `-l "ccgate session" -w "${secret}"\n`;
    const out = await this.#run(["-i"], command);
    if (out.code !== 0 || out.stderr.trim() !== "") throw this.#failed("write", out.stderr);
  }

  /** Deletes the entry. */
  async clear(): Promise<void> {
    const out = await this.#run([
      "delete-generic-password",
      "-s",
      this.#service,
      "-a",
      this.#account,
    ]);
    if (out.code !== 0 && out.code !== ITEM_NOT_FOUND) {
      throw this.#failed("delete from", out.stderr);
    }
  }
}
