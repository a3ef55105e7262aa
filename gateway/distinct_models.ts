import { modelCard } from "./model_card.ts";
import type { ListedModel } from "./model_map.ts";

/**
 * The models `GET /v1/models` lists: each model once under each display name.
 * A name that resolves to the same Bedrock model as an earlier one and would
 * be shown the same (`claude-sonnet-4-5` after the policy's
 * `claude-sonnet-4-5-20250929`, both "Claude Sonnet 4.5") is left out, so a
 * model picker built from the list (Claude Code's `/model` with
 * `CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY`) has no two identical rows.
 * The names left out still work as `model` and on `GET /v1/models/{id}`. An
 * admin's alias with its own name (`team-default`) stays. Pure.
 *
 * @param models The models a user sees, in order (`visibleModels`).
 * @returns The first model of each Bedrock id and display name, in order.
 *
 * @example
 * ```ts
 * import { distinctModels } from "./distinct_models.ts";
 * const id = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
 * const listed = distinctModels([
 *   { name: "claude-sonnet-4-5-20250929", modelId: id },
 *   { name: "claude-sonnet-4-5", modelId: id },
 *   { name: "team-default", modelId: id },
 * ]);
 * console.assert(listed.map((m) => m.name).join() === "claude-sonnet-4-5-20250929,team-default");
 * ```
 */
export function distinctModels(models: readonly ListedModel[]): ListedModel[] {
  const seen = new Set<string>();
  return models.filter((model) => {
    const key = JSON.stringify([model.modelId, modelCard(model).display_name]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
