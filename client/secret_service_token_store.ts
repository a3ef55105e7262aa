import { type CommandRunner, denoCommandRunner } from "./command_runner.ts";
import { TokenStoreError } from "./errors.ts";
import type { KeychainTokenStoreOptions } from "./macos_keychain_token_store.ts";
import { _decodeSession, _encodeSession } from "./_session_codec.ts";
import type { StoredSession, TokenStore } from "./token_store.ts";

/**
 * A {@linkcode TokenStore} in the Linux Secret Service (GNOME Keyring,
 * KWallet) through `secret-tool` (libsecret). The session goes to
 * `secret-tool store` on standard input, never as an argument.
 *
 * @example Use the Secret Service (with a recording runner, runnable anywhere)
 * ```ts
 * import { SecretServiceTokenStore } from "@ccgate/client";
 *
 * const store = new SecretServiceTokenStore({
 *   runner: (_command, args) =>
 *     Promise.resolve({ code: args[0] === "lookup" ? 1 : 0, stdout: "", stderr: "" }),
 * });
 * console.log(await store.load()); // undefined
 * ```
 */
export class SecretServiceTokenStore implements TokenStore {
  /** Always `"secret-service"`. */
  readonly kind = "secret-service";
  /** `Secret Service service=<service> account=<account>`. */
  readonly location: string;
  #attributes: string[];
  #runner: CommandRunner;

  /**
   * Creates the instance.
   *
   * @param options Entry attributes and the command runner.
   */
  constructor(options: KeychainTokenStoreOptions = {}) {
    const service = options.service ?? "ccgate";
    const account = options.account ?? "session";
    this.#attributes = ["service", service, "account", account];
    this.#runner = options.runner ?? denoCommandRunner;
    this.location = `Secret Service service=${service} account=${account}`;
  }

  async #run(args: string[], stdin?: string) {
    try {
      return await this.#runner("secret-tool", args, stdin === undefined ? {} : { stdin });
    } catch (err) {
      throw new TokenStoreError(
        "store_unavailable",
        "Cannot use the Secret Service: secret-tool is not installed",
        { cause: err },
      );
    }
  }

  #unavailable(stderr: string): TokenStoreError {
    const detail = stderr.trim().split("\n")[0] ?? "";
    return new TokenStoreError("store_unavailable", `Cannot use the Secret Service: ${detail}`);
  }

  /**
   * Reads the entry; `undefined` when there is none. `secret-tool` exits 1
   * both for "not found" and for errors; only errors write to standard error.
   */
  async load(): Promise<StoredSession | undefined> {
    const out = await this.#run(["lookup", ...this.#attributes]);
    if (out.code !== 0) {
      if (out.stderr.trim() === "") return undefined;
      throw this.#unavailable(out.stderr);
    }
    return _decodeSession(out.stdout, this.location);
  }

  /** Stores the entry, the secret on standard input. */
  async save(session: StoredSession): Promise<void> {
    const out = await this.#run(
      ["store", "--label=ccgate session", ...this.#attributes],
      _encodeSession(session),
    );
    if (out.code !== 0) throw this.#unavailable(out.stderr);
  }

  /** Deletes the entry. */
  async clear(): Promise<void> {
    const out = await this.#run(["clear", ...this.#attributes]);
    if (out.code !== 0 && out.stderr.trim() !== "") throw this.#unavailable(out.stderr);
  }
}
