import { TokenStoreError } from "./errors.ts";
import { _decodeSession, _encodeSession } from "./_session_codec.ts";
import type { StoredSession, TokenStore } from "./token_store.ts";

function dirname(path: string): string {
  const i = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return i <= 0 ? (i === 0 ? path.slice(0, 1) : ".") : path.slice(0, i);
}

/**
 * A {@linkcode TokenStore} in a file readable by its owner only: the fallback
 * when there is no OS keychain.
 *
 * Every write creates a new file with mode 0600 from the start (`createNew`
 * with `mode: 0o600`, so the umask can only remove bits) next to it, then
 * renames it over the old one: the session is never world-readable, not
 * even briefly, and readers see either the old or the new session, never half
 * of one. A missing folder is created 0700; an existing folder keeps its
 * mode (the file's own 0600 is what protects the session). On Windows, modes
 * do not apply: the file inherits the ACL of the user's profile folder.
 *
 * @example Keep a session in a file
 * ```ts
 * import { FileTokenStore } from "@ccgate/client";
 *
 * const dir = await Deno.makeTempDir();
 * const store = new FileTokenStore(`${dir}/session.json`);
 * await store.save({
 *   issuer: "https://ccgate.example.com",
 *   tokenEndpoint: "https://ccgate.example.com/oauth/token",
 *   accessToken: "eyJ...",
 *   expiresAt: Date.now() + 3_600_000,
 * });
 * console.log((await Deno.stat(`${dir}/session.json`)).mode! & 0o777); // 384 (0o600)
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class FileTokenStore implements TokenStore {
  /** Always `"file"`. */
  readonly kind = "file";
  /** The file's path. */
  readonly location: string;

  /**
   * Creates the instance.
   *
   * @param path The file that holds the session; its folder is created (0700) if missing, an
   * existing one keeps its mode.
   */
  constructor(path: string) {
    this.location = path;
  }

  /** Reads the session; `undefined` when the file does not exist. */
  async load(): Promise<StoredSession | undefined> {
    let text: string;
    try {
      text = await Deno.readTextFile(this.location);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return undefined;
      throw new TokenStoreError("store_failed", `Cannot read "${this.location}"`, { cause: err });
    }
    return _decodeSession(text, `"${this.location}"`);
  }

  /** Writes the session to a new 0600 file, then renames it into place. */
  async save(session: StoredSession): Promise<void> {
    const dir = dirname(this.location);
    const tmp = `${this.location}.${crypto.randomUUID()}.tmp`;
    try {
      await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
      const file = await Deno.open(tmp, { write: true, createNew: true, mode: 0o600 });
      try {
        const bytes = new TextEncoder().encode(_encodeSession(session));
        let written = 0;
        while (written < bytes.length) written += await file.write(bytes.subarray(written));
        await file.sync();
      } finally {
        file.close();
      }
      await Deno.rename(tmp, this.location);
    } catch (err) {
      await Deno.remove(tmp).catch(() => {});
      throw new TokenStoreError("store_failed", `Cannot write "${this.location}"`, { cause: err });
    }
  }

  /** Deletes the file. */
  async clear(): Promise<void> {
    try {
      await Deno.remove(this.location);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return;
      throw new TokenStoreError("store_failed", `Cannot delete "${this.location}"`, { cause: err });
    }
  }
}
