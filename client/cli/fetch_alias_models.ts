import { CLAUDE_CODE_ALIASES, type ClaudeCodeAliasModels } from "@ccgate/installer";

/** What {@linkcode fetchAliasModels} learnt: the models, or why there are none. */
export type AliasModelsLookup =
  | { ok: true; models: ClaudeCodeAliasModels }
  | { ok: false; reason: string };

/** A Bedrock model id, inference profile id or ARN: what may go into a settings file. */
const BEDROCK_ID = /^[A-Za-z0-9][A-Za-z0-9._:\/-]{0,511}$/;

/**
 * Asks the gateway which model each of Claude Code's aliases (`opus`,
 * `sonnet`, `haiku`, `fable`) should take in Bedrock mode (`GET
 * /claude-code/aliases` with the session's access token): the newest of each
 * family the policy lets this user use, as the Bedrock id of the deployment's
 * geography. Never throws: a gateway without the route (older than this
 * CLI), a refusal, a network failure or an answer of the wrong shape is a
 * `reason` (one line, no token in it), and the install goes on with Claude
 * Code's own defaults.
 *
 * @param gatewayUrl The gateway's base URL, without a trailing slash.
 * @param accessToken The session's access token.
 * @param fetchFn `fetch`.
 * @returns The models (an alias the gateway left out is absent), or the reason there are none.
 *
 * @example
 * ```ts ignore
 * const found = await fetchAliasModels("https://ccgate.example.com", token, fetch);
 * if (found.ok) console.log(found.models.sonnet); // "us.anthropic.claude-sonnet-5-5"
 * ```
 */
export async function fetchAliasModels(
  gatewayUrl: string,
  accessToken: string,
  fetchFn: typeof fetch,
): Promise<AliasModelsLookup> {
  const url = `${gatewayUrl}/claude-code/aliases`;
  let response: Response;
  let body: unknown;
  try {
    response = await fetchFn(url, {
      headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" },
      signal: AbortSignal.timeout(10_000),
      redirect: "manual",
    });
    if (!response.ok) {
      await response.body?.cancel();
      return {
        ok: false,
        reason: response.status === 404
          ? `the gateway does not publish them (GET ${url}: HTTP 404, a ccgate older than this CLI)`
          : `GET ${url} answered HTTP ${response.status}`,
      };
    }
    body = await response.json();
  } catch (err) {
    const why = err instanceof SyntaxError ? "not JSON" : (err as Error).message ?? String(err);
    return { ok: false, reason: `GET ${url} failed (${why})` };
  }
  const aliases = (body as { aliases?: unknown } | null)?.aliases;
  if (typeof aliases !== "object" || aliases === null || Array.isArray(aliases)) {
    return { ok: false, reason: `GET ${url} answered without an "aliases" object` };
  }
  const models: ClaudeCodeAliasModels = {};
  for (const alias of CLAUDE_CODE_ALIASES) {
    if (!Object.hasOwn(aliases, alias)) continue;
    const bedrock = (aliases as Record<string, { bedrock?: unknown } | null>)[alias]?.bedrock;
    if (typeof bedrock !== "string" || !BEDROCK_ID.test(bedrock)) {
      return { ok: false, reason: `GET ${url} answered an invalid Bedrock id for "${alias}"` };
    }
    models[alias] = bedrock;
  }
  return { ok: true, models };
}
