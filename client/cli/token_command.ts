import { SessionError } from "../errors.ts";
import type { CliDeps } from "./cli_deps.ts";
import { EXIT } from "./exit_codes.ts";
import { openSession } from "./open_session.ts";

/**
 * `ccgate token`: Claude Code's `apiKeyHelper`. Prints only a valid access
 * token and a newline, refreshing it first when it expires within five
 * minutes; never prompts. Imports nothing heavy: no Hono, no AWS SDK, no
 * prompts, no JOSE, no OAuth library.
 */
export async function tokenCommand(deps: CliDeps): Promise<number> {
  const session = await openSession(deps);
  if (session === undefined) throw new SessionError("login_required", "Not signed in");
  const token = await session.accessToken();
  deps.stdout(token + "\n");
  return EXIT.ok;
}
