/**
 * What `ccgate token` remembers of the token it last printed, so it can tell
 * when Claude Code asks again for a token it was just given: Claude Code runs
 * its `apiKeyHelper` once per `CLAUDE_CODE_API_KEY_HELPER_TTL_MS` (about the
 * token's lifetime), and again at once after the gateway refused the token
 * (401). A token still valid by its expiry may have been refused because its
 * session was revoked: refreshing then ends in "sign in again" within
 * seconds, where printing the same token again had Claude Code retry it for
 * about four minutes before it showed the gateway's reason.
 *
 * The record holds no secret: a SHA-256 prefix of the token, and a time.
 *
 * @module
 */

/** The token `ccgate token` printed last, and when. */
export interface TokenHandout {
  /** The first 16 hex digits of the token's SHA-256. */
  digest: string;
  /** When it was printed, ms since the epoch. */
  at: number;
}

/** How soon a second request for the same token counts as asked again. */
export const ASKED_AGAIN_MS = 120_000;

/**
 * How old a token asked for again must be before `ccgate token` refreshes
 * it (decided under the session's lock): many Claude Code processes starting
 * at once (scripts running `claude -p` in parallel) look the same as one
 * asking again, and refresh once a minute at most.
 */
export const RECHECK_AGE_MS = 60_000;

/** The record's file in the configuration folder. */
export const TOKEN_HANDOUT_FILE = "token_handout.json";

/**
 * Whether the token with `digest` is asked for again soon after it was
 * printed: then `ccgate token` refreshes before printing, unless the token is
 * younger than {@linkcode RECHECK_AGE_MS}. Pure.
 *
 * @param last The record of the last token printed, if any.
 * @param digest The digest of the token about to be printed ({@linkcode tokenDigest}).
 * @param now Current time, ms since the epoch.
 * @returns Whether to refresh first.
 *
 * @example
 * ```ts
 * import { askedAgain } from "./token_handout.ts";
 * const last = { digest: "ab", at: 1_000 };
 * console.assert(askedAgain(last, "ab", 5_000));
 * console.assert(!askedAgain(last, "cd", 5_000));
 * ```
 */
export function askedAgain(last: TokenHandout | undefined, digest: string, now: number): boolean {
  return last !== undefined && last.digest === digest && now - last.at < ASKED_AGAIN_MS;
}

/**
 * The digest a {@linkcode TokenHandout} keeps of a token.
 *
 * @param token The access token.
 * @returns The first 16 hex digits of its SHA-256.
 */
export async function tokenDigest(token: string): Promise<string> {
  const hash = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return Array.from(new Uint8Array(hash, 0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Reads the record in the configuration folder.
 *
 * @param dir The configuration folder.
 * @returns The record, or `undefined` when there is none or it cannot be read.
 */
export function readTokenHandout(dir: string): TokenHandout | undefined {
  try {
    // Sync: the async read costs about 1 ms more in a process that has read no file yet.
    const value = JSON.parse(Deno.readTextFileSync(`${dir}/${TOKEN_HANDOUT_FILE}`));
    const ok = typeof value?.digest === "string" && Number.isFinite(value.at);
    return ok ? { digest: value.digest, at: value.at } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes the record (0600), best effort: a token is printed whether or not
 * it could be remembered.
 *
 * @param dir The configuration folder (it exists: the session's config is in it).
 * @param handout The record.
 */
export function writeTokenHandout(dir: string, handout: TokenHandout): void {
  // Sync: the async write loads Deno's stream support first, 6 ms of the helper's ~80.
  try {
    Deno.writeTextFileSync(`${dir}/${TOKEN_HANDOUT_FILE}`, JSON.stringify(handout) + "\n", {
      mode: 0o600,
    });
  } catch {
    // Not remembered: the next call is taken as a first one.
  }
}
