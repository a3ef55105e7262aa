import { SessionError, TokenRequestError, TokenStoreError } from "../errors.ts";
import type { TokenSession } from "../token_session.ts";
import type { CliDeps } from "./cli_deps.ts";
import { configDir } from "./config_dir.ts";
import { EXIT } from "./exit_codes.ts";
import { openSession } from "./open_session.ts";
import {
  askedAgain,
  readTokenHandout,
  RECHECK_AGE_MS,
  tokenDigest,
  writeTokenHandout,
} from "./token_handout.ts";

/**
 * `ccgate token`: Claude Code's `apiKeyHelper`. Prints only a valid access
 * token and a newline, refreshing it first when it expires within five
 * minutes, or when the same token is asked for again soon after it was
 * printed (Claude Code does so after the gateway refused it: a revoked
 * session then ends in "sign in again" at once; see `token_handout.ts`);
 * never prompts. Imports nothing heavy: no Hono, no AWS SDK, no prompts, no
 * JOSE, no OAuth library.
 */
export async function tokenCommand(deps: CliDeps): Promise<number> {
  const session = await openSession(deps);
  if (session === undefined) throw new SessionError("login_required", "Not signed in");
  let token = await session.accessToken();
  const dir = configDir(deps);
  const now = deps.now().getTime();
  const last = readTokenHandout(dir);
  let digest = await tokenDigest(token);
  if (askedAgain(last, digest, now)) {
    token = await _recheck(session, token);
    digest = await tokenDigest(token);
  }
  writeTokenHandout(dir, { digest, at: now });
  deps.stdout(token + "\n");
  return EXIT.ok;
}

/**
 * Refreshes the session unless its stored token is younger than
 * {@linkcode RECHECK_AGE_MS}, decided under the session's lock: the window
 * is the token's lifetime less that age, so a successor another process
 * stored meanwhile is taken as is. The auth service unreachable, or the lock
 * held past its timeout, keeps `token`: it has not expired.
 */
async function _recheck(session: TokenSession, token: string): Promise<string> {
  const lifetime = _lifetimeSeconds(token);
  if (lifetime === undefined) return token;
  try {
    const within = lifetime - RECHECK_AGE_MS / 1000;
    return (await session.refresh({ ifExpiresWithinSeconds: within })).accessToken;
  } catch (err) {
    const lockTimeout = err instanceof TokenStoreError && err.code === "store_lock_timeout";
    if (err instanceof TokenRequestError || lockTimeout) return token;
    throw err;
  }
}

/** An access token's lifetime (`exp` − `iat`), read without verifying it; `undefined` if unreadable. */
function _lifetimeSeconds(token: string): number | undefined {
  try {
    const payload = token.split(".")[1]!.replaceAll("-", "+").replaceAll("_", "/");
    const { exp, iat } = JSON.parse(atob(payload));
    return Number.isFinite(exp) && Number.isFinite(iat) && exp > iat ? exp - iat : undefined;
  } catch {
    return undefined;
  }
}
