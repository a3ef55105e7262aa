import type { Context, Handler } from "hono";
import type { GatewayDeps } from "./app.ts";
import { claudeCodeAliases } from "./claude_code_aliases.ts";
import { visibleModels } from "./visible_models.ts";

/**
 * `GET /claude-code/aliases` (authenticated): the model each of Claude Code's
 * aliases (`opus`, `sonnet`, `haiku`, `fable`) should take for this user, as
 * `{"aliases": {"sonnet": {"model": "claude-sonnet-5-5", "bedrock":
 * "us.anthropic.claude-sonnet-5-5"}, ...}}`: the newest model of each family
 * among those the deployment offers in its geography (`CCGATE_MODEL_PREFIX`,
 * the policy's catalogue) and the policy lets this user use (the same list as
 * `GET /v1/models`). An alias whose family has none is left out. `ccgate
 * install --mode bedrock` writes the `bedrock` ids into Claude Code's
 * `ANTHROPIC_DEFAULT_*_MODEL`, as Claude Code's Bedrock mode otherwise
 * resolves `sonnet` and `haiku` to its built-in 4.5 profiles.
 */
export function claudeCodeAliasesRoute(deps: GatewayDeps): Handler {
  const visibleTo = visibleModels(deps);

  return function claudeCodeAliasesHandler(c: Context) {
    return c.json({ aliases: claudeCodeAliases(visibleTo(c.get("claims"))) });
  };
}
