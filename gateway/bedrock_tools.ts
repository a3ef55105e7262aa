import {
  BEDROCK_DROPPED_TOOL_FIELDS,
  BEDROCK_DROPPED_TOOL_TYPES,
  type BedrockFamily,
  TOOL_SEARCH_TOOL_FIELDS,
  TOOL_SEARCH_TOOL_TYPES,
} from "./bedrock_compat.ts";
import { bedrockCacheControl } from "./bedrock_messages.ts";
import { InvalidRequestError } from "./errors.ts";

type Json = Record<string, unknown>;

const DROPPED_TOOL_FIELDS = new Set(BEDROCK_DROPPED_TOOL_FIELDS);
/** What is dropped when tool search is forwarded: the same, but for tool search's own. */
const DROPPED_WITH_TOOL_SEARCH = new Set(
  BEDROCK_DROPPED_TOOL_FIELDS.filter((f) => !TOOL_SEARCH_TOOL_FIELDS.includes(f)),
);
const DROPPED_TYPES_WITH_TOOL_SEARCH = BEDROCK_DROPPED_TOOL_TYPES.filter((p) =>
  !TOOL_SEARCH_TOOL_TYPES.includes(p)
);

/**
 * A request's `tools` as Bedrock takes them: Anthropic-hosted tools (web
 * search, ...) are left out and recorded in `dropped` as
 * `tool:tools.<i>.<name>`, fields Bedrock rejects are removed
 * (`field:tools.<i>.<key>`), cache controls follow the family's rules.
 * With `toolSearch`, tool search's own (`defer_loading`, tool_search_tool_*
 * tools) are kept. Untouched tools are shared, not copied. Pure, apart from
 * `dropped`.
 *
 * @param value The request's `tools`.
 * @param family The model family's rules.
 * @param dropped What was removed or rewritten, appended to.
 * @param toolSearch Whether tool search is forwarded (its beta is sent).
 * @returns The tools to send; `undefined` when every tool was left out.
 * @throws {InvalidRequestError} When `tools` is not a list of named tools.
 *
 * @example
 * ```ts
 * import { bedrockFamily } from "./bedrock_compat.ts";
 * import { bedrockTools } from "./bedrock_tools.ts";
 * const dropped: string[] = [];
 * const tools = bedrockTools(
 *   [{ type: "web_search_20250305", name: "web_search" }, { name: "Bash", input_schema: {} }],
 *   bedrockFamily("us.anthropic.claude-opus-5-5"),
 *   dropped,
 * );
 * console.assert(tools?.length === 1 && dropped[0] === "tool:tools.0.web_search");
 * ```
 */
export function bedrockTools(
  value: unknown,
  family: BedrockFamily,
  dropped: string[],
  toolSearch = false,
): unknown[] | undefined {
  if (!Array.isArray(value)) throw new InvalidRequestError("tools: Input should be a list");
  const droppedFields = toolSearch ? DROPPED_WITH_TOOL_SEARCH : DROPPED_TOOL_FIELDS;
  const droppedTypes = toolSearch ? DROPPED_TYPES_WITH_TOOL_SEARCH : BEDROCK_DROPPED_TOOL_TYPES;
  let out: unknown[] | undefined;
  for (let i = 0; i < value.length; i++) {
    const tool = value[i];
    if (!_isObject(tool) || typeof tool.name !== "string") {
      throw new InvalidRequestError(`tools.${i}: Input should be a tool with a "name"`);
    }
    const type = tool.type;
    if (typeof type === "string" && droppedTypes.some((p) => type.startsWith(p))) {
      out ??= value.slice(0, i);
      dropped.push(`tool:tools.${i}.${tool.name}`);
      continue;
    }
    let fixed = bedrockCacheControl(tool, `tools.${i}`, family, dropped);
    for (const key of Object.keys(tool)) {
      if (!droppedFields.has(key)) continue;
      if (fixed === tool) fixed = { ...tool };
      delete fixed[key];
      dropped.push(`field:tools.${i}.${key}`);
    }
    if (out !== undefined) out.push(fixed);
    else if (fixed !== tool) {
      out = value.slice(0, i);
      out.push(fixed);
    }
  }
  const tools = out ?? value;
  return tools.length > 0 || value.length === 0 ? tools : undefined;
}

/**
 * Checks, after {@linkcode bedrockTools}, what dropping Anthropic-hosted tools (web search, ...) leaves: a
 * `tool_choice` naming one is refused, as Bedrock cannot run it, and so is a
 * request whose every tool is hosted, unless its `tool_choice` is `none`
 * (which is then removed: Bedrock accepts no `tool_choice` without `tools`).
 *
 * @param out The Bedrock body being built (its `tools` and `tool_choice`).
 * @param dropped What was removed, as `bedrockTools` recorded it; appended to.
 * @throws {InvalidRequestError} When the request needs a hosted tool.
 */
export function checkHostedTools(out: Json, dropped: string[]): void {
  // Most requests (Claude Code's among them) drop no tool: nothing to build then.
  if (!dropped.some((d) => d.startsWith("tool:"))) return;
  // The tools not forwarded, from what `bedrockTools` recorded (`tool:tools.<i>.<name>`).
  const droppedTools = new Set(
    dropped.flatMap((d) => d.startsWith("tool:") ? [d.slice(d.indexOf(".", 11) + 1)] : []),
  );
  if (droppedTools.size === 0) return;
  const choice = _isObject(out.tool_choice) ? out.tool_choice : undefined;
  if (choice?.type === "tool" && typeof choice.name === "string" && droppedTools.has(choice.name)) {
    throw new InvalidRequestError(
      `tool_choice.name: "${choice.name}" is an Anthropic-hosted tool, which Bedrock does not run; it is not available through this gateway`,
    );
  }
  if (out.tools !== undefined) return;
  if (choice?.type !== "none") {
    // Answering without the only tools asked for would pass the model's memory off as, say,
    // web search results (Claude Code's WebSearch tool sends web_search alone).
    throw new InvalidRequestError(
      `tools: every tool of the request is Anthropic-hosted (${
        [...droppedTools].join(", ")
      }), which Bedrock does not run, so the model could only answer without them; they are not available through this gateway`,
    );
  }
  delete out.tool_choice;
  dropped.push("field:tool_choice");
}

function _isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
