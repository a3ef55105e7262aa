import { type ModelTable, tableEntryOf } from "./model_table.ts";

/**
 * `max_tokens` when an OpenAI client sets none and the model is not in the
 * table: the most every Claude model on Bedrock takes (Claude 3 Haiku's 4,096).
 */
export const FALLBACK_MAX_OUTPUT = 4096;

/**
 * The most output tokens the model a Bedrock id names takes, from the table
 * (`ModelEntry.maxOutput`): its foundation model id, bare or under any
 * inference profile prefix (`eu.anthropic.claude-opus-5-5`), or the last
 * segment of an ARN. `undefined` for a model the table does not know (a new
 * name mapped by the fallback rule, an alias to another id, an application
 * inference profile's ARN). Pure.
 *
 * @param table Known models.
 * @param modelId The Bedrock id a request resolved to.
 * @returns Its maximum output tokens, if known.
 *
 * @example
 * ```ts
 * import { DEFAULT_MODEL_TABLE } from "./model_map.ts";
 * import { modelMaxOutput } from "./model_max_output.ts";
 * console.assert(modelMaxOutput(DEFAULT_MODEL_TABLE, "eu.anthropic.claude-opus-5-5") === 128_000);
 * console.assert(modelMaxOutput(DEFAULT_MODEL_TABLE, "us.anthropic.claude-opus-9-9") === undefined);
 * ```
 */
export function modelMaxOutput(table: ModelTable, modelId: string): number | undefined {
  return tableEntryOf(table, modelId)?.maxOutput;
}
