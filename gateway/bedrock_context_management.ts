import type { BedrockFamily } from "./bedrock_compat.ts";
import { InvalidRequestError } from "./errors.ts";

/** The beta Bedrock needs for the `context_management` field. */
export const CONTEXT_MANAGEMENT_BETA = "context-management-2025-06-27";

/** Options of {@linkcode bedrockContextManagement}. */
export interface BedrockContextManagementOptions {
  /** The compatibility rules of the model invoked. */
  family: BedrockFamily;
  /**
   * The name the client asked for (`model` of the body), else the Bedrock
   * model id: the error names it, as Anthropic's API does.
   */
  model: string;
  /**
   * What to do with an edit the model cannot apply on Bedrock: refuse the
   * request (a model call), or drop it (a token count, which counts what is
   * sent).
   * @default {"refuse"}
   */
  unsupported?: "refuse" | "drop";
}

/**
 * Decides what becomes of a request's `context_management` (context editing:
 * clearing old tool results or thinking blocks server-side) on Bedrock.
 *
 * A family that takes the context-management beta gets the field as sent
 * (the caller adds the beta when the client did not send it: Bedrock refuses
 * the field without it). Families that take no beta (Opus 4.7 and later,
 * application inference profiles) cannot edit: the field is dropped when it
 * asks for nothing (no edits, or `clear_thinking_20251015` with `keep:
 * "all"`, which Claude Code sends with every thinking request), and an edit
 * that would change the prompt (`clear_tool_uses_20250919`, `clear_thinking`
 * keeping fewer turns) is a 400 in the words of Anthropic's API: "<model>
 * does not support the 'clear_tool_uses_20250919' context management
 * strategy". Claude Code recognises that answer, stops sending the edit to
 * that model and retries without it; dropping the edit silently would leave
 * the old tool results in every later prompt with the client believing them
 * cleared. Pure.
 *
 * @param value The request's `context_management`.
 * @param options Family, model name, what to do with an unsupported edit.
 * @returns The value to send to Bedrock, or `undefined` to drop the field.
 * @throws {InvalidRequestError} When an edit cannot be applied on this model
 * (with `unsupported: "refuse"`), or the field is not an object with an
 * `edits` list of objects.
 *
 * @example
 * ```ts
 * import { bedrockFamily } from "./bedrock_compat.ts";
 * import { bedrockContextManagement } from "./bedrock_context_management.ts";
 * const family = bedrockFamily("us.anthropic.claude-opus-5-5");
 * const noOp = { edits: [{ type: "clear_thinking_20251015", keep: "all" }] };
 * console.assert(bedrockContextManagement(noOp, { family, model: "claude-opus-5-5" }) === undefined);
 * ```
 */
export function bedrockContextManagement(
  value: unknown,
  options: BedrockContextManagementOptions,
): unknown {
  if (value == null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new InvalidRequestError("context_management: Input should be an object");
  }
  const edits = (value as { edits?: unknown }).edits ?? [];
  if (!Array.isArray(edits)) {
    throw new InvalidRequestError("context_management.edits: Input should be a valid list");
  }
  if (options.family.betas.has(CONTEXT_MANAGEMENT_BETA)) return value;
  for (const [i, edit] of edits.entries()) {
    if (edit === null || typeof edit !== "object" || Array.isArray(edit)) {
      throw new InvalidRequestError(`context_management.edits.${i}: Input should be an object`);
    }
    const { type, keep } = edit as { type?: unknown; keep?: unknown };
    if (type === "clear_thinking_20251015" && keep === "all") continue;
    if (options.unsupported === "drop") continue;
    const strategy = typeof type === "string" && /^[\w.-]{1,64}$/.test(type) ? type : "requested";
    throw new InvalidRequestError(
      `${
        _modelName(options.model)
      } does not support the '${strategy}' context management strategy (context_management.edits.${i}): it is served through Amazon Bedrock, which takes no context editing for this model; send the request without it`,
    );
  }
  return undefined;
}

/** A model name with no space (Claude Code's check wants one word) and no AWS account id. */
function _modelName(model: string): string {
  const name = model.startsWith("arn:") ? model.slice(model.lastIndexOf(":") + 1) : model;
  return /^[\w.:/@-]{1,128}$/.test(name) ? name : "this-model";
}
