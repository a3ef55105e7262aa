import { type CommandRunner, denoCommandRunner } from "./command_runner.ts";
import { TokenStoreError } from "./errors.ts";
import type { KeychainTokenStoreOptions } from "./macos_keychain_token_store.ts";
import { _decodeSession, _encodeSession, _fromBase64, _toBase64 } from "./_session_codec.ts";
import { _WINDOWS_CREDENTIAL_SCRIPT } from "./_windows_credential_script.ts";
import type { StoredSession, TokenStore } from "./token_store.ts";

/**
 * Credential Manager refuses a credential blob over 2,560 bytes
 * (`CRED_MAX_CREDENTIAL_BLOB_SIZE`); a session with a large `groups` claim is
 * bigger, so it is split into parts well under that.
 */
export const WINDOWS_CREDENTIAL_PART_BYTES = 2_000;

function encodedCommand(script: string): string {
  const bytes = new Uint8Array(script.length * 2);
  for (let i = 0; i < script.length; i++) {
    const c = script.charCodeAt(i);
    bytes[i * 2] = c & 0xff;
    bytes[i * 2 + 1] = c >> 8;
  }
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

interface Manifest {
  v: 1;
  gen: string;
  parts: number;
  sha256: string;
}

/**
 * A {@linkcode TokenStore} in Windows Credential Manager (generic
 * credentials, persisted on this machine only), through Windows PowerShell
 * and advapi32's `CredWriteW`/`CredEnumerateW`/`CredDeleteW`. Requests go to
 * PowerShell on standard input, never as arguments.
 *
 * A credential blob holds at most 2,560 bytes, so the session is split into
 * parts of {@linkcode WINDOWS_CREDENTIAL_PART_BYTES}: `<service>/<account>/<gen>/<i>`,
 * then a manifest `<service>/<account>` naming the generation, the number of
 * parts and their SHA-256 is written last, and the parts of older
 * generations are deleted. A reader sees the old session or the new one.
 *
 * @example Use Credential Manager (with a recording runner, runnable anywhere)
 * ```ts
 * import { WindowsCredentialTokenStore } from "@ccgate/client";
 *
 * const store = new WindowsCredentialTokenStore({
 *   runner: () => Promise.resolve({ code: 0, stdout: "", stderr: "" }),
 * });
 * console.log(await store.load()); // undefined
 * ```
 */
export class WindowsCredentialTokenStore implements TokenStore {
  /** Always `"windows-credential-manager"`. */
  readonly kind = "windows-credential-manager";
  /** `Credential Manager target "<service>/<account>"`. */
  readonly location: string;
  #target: string;
  #runner: CommandRunner;

  /**
   * Creates the instance.
   *
   * @param options Entry names and the command runner.
   */
  constructor(options: KeychainTokenStoreOptions = {}) {
    this.#target = `${options.service ?? "ccgate"}/${options.account ?? "session"}`;
    this.#runner = options.runner ?? denoCommandRunner;
    this.location = `Credential Manager target "${this.#target}"`;
  }

  async #run(request: Record<string, unknown>): Promise<string> {
    let out;
    try {
      out = await this.#runner("powershell.exe", [
        "-NoProfile",
        "-NonInteractive",
        "-ExecutionPolicy",
        "Bypass",
        "-EncodedCommand",
        encodedCommand(_WINDOWS_CREDENTIAL_SCRIPT),
      ], { stdin: JSON.stringify({ filter: `${this.#target}*`, ...request }) });
    } catch (err) {
      throw new TokenStoreError(
        "store_unavailable",
        "Cannot use Windows Credential Manager: powershell.exe is not available",
        { cause: err },
      );
    }
    if (out.code !== 0) {
      const detail = out.stderr.trim().split("\n")[0] ?? "";
      throw new TokenStoreError(
        "store_failed",
        `Cannot use Windows Credential Manager${detail ? `: ${detail}` : ""}`,
      );
    }
    return out.stdout;
  }

  /** Reads the manifest and its parts in one PowerShell call; `undefined` when there is none. */
  async load(): Promise<StoredSession | undefined> {
    const entries = new Map<string, string>();
    for (const line of (await this.#run({ op: "list" })).split(/\r?\n/)) {
      const tab = line.indexOf("\t");
      if (tab > 0) entries.set(line.slice(0, tab), line.slice(tab + 1));
    }
    const manifestText = entries.get(this.#target);
    if (manifestText === undefined) return undefined;
    const corrupt = (what: string) =>
      new TokenStoreError("store_corrupt", `Cannot read the session in ${this.location}: ${what}`);
    let manifest: Manifest;
    try {
      manifest = JSON.parse(manifestText);
    } catch {
      throw corrupt("the manifest is not JSON");
    }
    let joined = "";
    for (let i = 0; i < manifest.parts; i++) {
      const part = entries.get(`${this.#target}/${manifest.gen}/${i}`);
      if (part === undefined) throw corrupt(`part ${i} is missing`);
      joined += part;
    }
    if (await sha256Hex(joined) !== manifest.sha256) throw corrupt("the parts do not match");
    return _decodeSession(_fromBase64(joined), this.location);
  }

  /** Writes the parts, then the manifest, then deletes older parts (one PowerShell call). */
  async save(session: StoredSession): Promise<void> {
    const data = _toBase64(_encodeSession(session));
    const gen = crypto.randomUUID().slice(0, 8);
    const writes: { target: string; value: string }[] = [];
    for (let i = 0; i * WINDOWS_CREDENTIAL_PART_BYTES < data.length; i++) {
      const start = i * WINDOWS_CREDENTIAL_PART_BYTES;
      writes.push({
        target: `${this.#target}/${gen}/${i}`,
        value: data.slice(start, start + WINDOWS_CREDENTIAL_PART_BYTES),
      });
    }
    const manifest: Manifest = { v: 1, gen, parts: writes.length, sha256: await sha256Hex(data) };
    writes.push({ target: this.#target, value: JSON.stringify(manifest) });
    await this.#run({ op: "write", writes });
  }

  /** Deletes the manifest and every part. */
  async clear(): Promise<void> {
    await this.#run({ op: "clear" });
  }
}
