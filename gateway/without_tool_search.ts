import { DEFAULT_BEDROCK_FAMILY, TOOL_SEARCH_BETA } from "./bedrock_compat.ts";
import { bedrockMessages } from "./bedrock_messages.ts";
import { bedrockTools, checkHostedTools } from "./bedrock_tools.ts";

type Json = Record<string, unknown>;

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * A Bedrock body that forwarded tool search, as the conservative translation
 * would have built it: without the tool search beta, `defer_loading` and
 * tool_search_tool_* tools dropped, `tool_reference` blocks as text naming
 * the tool. Every other key (the Bedrock-native routes' guardrail
 * configuration among them) is kept as it was. What the safety net sends
 * when Bedrock refused tool search (see `isToolSearchRefusal`). Pure but for `dropped`.
 *
 * @param body The InvokeModel body sent, as `toBedrockRequest` made it.
 * @param dropped Receives what was removed or rewritten, as `toBedrockRequest`
 * names it (`beta:tool-search-tool-2025-10-19`, `field:tools.3.defer_loading`,
 * ...; positions are those of `body`).
 * @returns The body to send again.
 * @throws {InvalidRequestError} When the body's only tools were tool search tools and its
 * `tool_choice` needs one (see `checkHostedTools`).
 *
 * @example
 * ```ts
 * import { withoutToolSearch } from "./without_tool_search.ts";
 * const sent = {
 *   anthropic_version: "bedrock-2023-05-31",
 *   anthropic_beta: ["tool-search-tool-2025-10-19"],
 *   max_tokens: 10,
 *   messages: [{ role: "user", content: "hi" }],
 *   tools: [{ name: "Read", input_schema: {}, defer_loading: true }],
 * };
 * const out = JSON.parse(new TextDecoder().decode(
 *   withoutToolSearch(new TextEncoder().encode(JSON.stringify(sent))),
 * ));
 * console.assert(out.anthropic_beta === undefined && !("defer_loading" in out.tools[0]));
 * ```
 */
export function withoutToolSearch(body: Uint8Array, dropped: string[] = []): Uint8Array {
  const sent = JSON.parse(decoder.decode(body)) as Json;
  // The body already suits its family: the default rules change nothing else in it.
  const family = DEFAULT_BEDROCK_FAMILY;
  const out: Json = {};
  for (const key of Object.keys(sent)) {
    const value = sent[key];
    if (key === "anthropic_beta" && Array.isArray(value)) {
      const betas = value.filter((b) => b !== TOOL_SEARCH_BETA);
      if (betas.length < value.length) dropped.push(`beta:${TOOL_SEARCH_BETA}`);
      if (betas.length > 0) out.anthropic_beta = betas;
    } else if (key === "tools") {
      const tools = bedrockTools(value, family, dropped);
      if (tools !== undefined) out.tools = tools;
    } else if (key === "messages") out.messages = bedrockMessages(value, family, dropped);
    else out[key] = value;
  }
  checkHostedTools(out, dropped);
  return encoder.encode(JSON.stringify(out));
}
