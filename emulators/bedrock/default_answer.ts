import { countInputTokens } from "./count_input_tokens.ts";
import type { AnswerOptions } from "./message_answer.ts";
import { promptCacheWrites } from "./prompt_cache_writes.ts";
import { textAnswer } from "./text_answer.ts";
import { toolUseAnswer } from "./tool_use_answer.ts";
import type { AnthropicStreamEvent } from "./types.ts";

/** Marker that makes the default answer call the request's first tool. */
export const TOOL_USE_MARKER = "[[tool_use]]";

/**
 * The emulator's answer when no script is queued: `Emulated answer to:
 * <first 80 characters of the last user text>` (Claude Code's injected
 * `<system-reminder>` blocks are skipped), or, when the request has
 * tools and that text contains {@linkcode TOOL_USE_MARKER}, a call to the
 * first tool with `{}` as input. A request whose last turn gives tool results
 * is answered `Emulated answer to the tool results.`, so that a client
 * running the tool (Claude Code) ends its turn instead of calling it again for
 * the marker still in its first prompt. Its usage counts the prompt as the
 * emulator's CountTokens does ({@linkcode countInputTokens}: system,
 * messages and tools), as Bedrock's does; of it, the part its `cache_control`
 * breakpoints cover is reported written to the prompt cache, by lifetime
 * ({@linkcode promptCacheWrites}: `cache_creation_input_tokens` and
 * `cache_creation`), the rest as `input_tokens`. Deterministic and pure.
 *
 * @param body The parsed request body.
 * @param modelId The Bedrock model id from the path.
 * @returns The Anthropic stream events.
 *
 * @example
 * ```ts
 * import { defaultAnswer } from "./default_answer.ts";
 * const events = defaultAnswer(
 *   { messages: [{ role: "user", content: "Hello" }] },
 *   "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
 * );
 * const first = events[0];
 * if (first?.type !== "message_start" || first.message.model !== "claude-sonnet-4-5-20250929") {
 *   throw new Error("unexpected");
 * }
 * ```
 */
export function defaultAnswer(
  body: Record<string, unknown>,
  modelId: string,
): AnthropicStreamEvent[] {
  // Bedrock's usage counts the prompt as CountTokens does, tools included.
  const options: AnswerOptions = { model: modelName(modelId), usage: promptUsage(body) };
  if (answersToolUse(body.messages)) {
    return textAnswer("Emulated answer to the tool results.", options);
  }
  const text = lastUserText(body.messages);
  const tools = Array.isArray(body.tools) ? body.tools as { name?: unknown }[] : [];
  const tool = tools.find((t) => typeof t?.name === "string");
  if (tool !== undefined && text.includes(TOOL_USE_MARKER)) {
    return toolUseAnswer({ name: tool.name as string, input: {} }, options);
  }
  return textAnswer(`Emulated answer to: ${text.slice(0, 80)}`, options);
}

/** The prompt's usage: written to the cache up to its breakpoints, the rest uncached input. */
function promptUsage(body: Record<string, unknown>): AnswerOptions["usage"] {
  const total = countInputTokens(body);
  const writes = promptCacheWrites(body);
  if (writes === undefined) return { input_tokens: total };
  const written = writes.ephemeral_5m_input_tokens + writes.ephemeral_1h_input_tokens;
  return {
    input_tokens: total - written,
    cache_creation_input_tokens: written,
    cache_creation: writes,
  };
}

/** `us.anthropic.claude-sonnet-4-5-20250929-v1:0` → `claude-sonnet-4-5-20250929`. */
function modelName(modelId: string): string {
  const tail = modelId.split("/").at(-1) ?? modelId;
  const name = tail.replace(/^.*?anthropic\./, "").replace(/-v\d+(:\d+)?$/, "");
  return name === "" ? modelId : name;
}

/** Whether the last message is a user turn with a `tool_result` block. */
function answersToolUse(messages: unknown): boolean {
  const last = Array.isArray(messages) ? messages.at(-1) : undefined;
  return last?.role === "user" && Array.isArray(last.content) &&
    last.content.some((b: { type?: unknown } | null) => b?.type === "tool_result");
}

function lastUserText(messages: unknown): string {
  if (!Array.isArray(messages)) return "";
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as { role?: unknown; content?: unknown } | null;
    if (m?.role !== "user") continue;
    if (typeof m.content === "string") return m.content;
    if (!Array.isArray(m.content)) return "";
    const texts = m.content
      .filter((b): b is { type: "text"; text: string } =>
        b?.type === "text" && typeof b.text === "string"
      )
      .map((b) => b.text)
      .filter((text) => !text.trimStart().startsWith("<system-reminder>"));
    if (texts.length > 0) return texts.join("\n");
  }
  return "";
}
