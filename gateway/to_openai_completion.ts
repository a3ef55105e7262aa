import { FINISH_REASONS } from "./openai_chunker.ts";

/** Options of {@linkcode toOpenAiCompletion}. */
export interface ToOpenAiCompletionOptions {
  /** The model name the client asked for. */
  model: string;
  /** `created`, Unix seconds (from the injected clock). */
  created: number;
}

type Json = Record<string, unknown>;

/**
 * Turns an Anthropic message (InvokeModel's answer) into an OpenAI
 * `chat.completion`: text blocks joined into `content`, `tool_use` blocks
 * as `tool_calls` (input serialised as `arguments`), `stop_reason` as
 * `finish_reason`, usage with cache reads and writes counted as prompt
 * tokens. Pure.
 *
 * @param message The parsed Anthropic message.
 * @param options Model and creation time.
 * @returns The completion.
 *
 * @example
 * ```ts
 * import { toOpenAiCompletion } from "./to_openai_completion.ts";
 * const out = toOpenAiCompletion(
 *   { id: "msg_1", content: [{ type: "text", text: "Hi" }], stop_reason: "end_turn",
 *     usage: { input_tokens: 3, output_tokens: 1 } },
 *   { model: "claude-sonnet-4-5", created: 0 },
 * );
 * console.assert((out.choices as { finish_reason: string }[])[0]?.finish_reason === "stop");
 * ```
 */
export function toOpenAiCompletion(message: Json, options: ToOpenAiCompletionOptions): Json {
  const blocks = Array.isArray(message.content) ? message.content as Json[] : [];
  const text = blocks.filter((b) => b.type === "text").map((b) => b.text).join("");
  const toolCalls = blocks.filter((b) => b.type === "tool_use").map((b) => ({
    id: b.id,
    type: "function",
    function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) },
  }));
  const usage = (message.usage ?? {}) as Record<string, number | undefined>;
  const prompt = (usage.input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0) +
    (usage.cache_creation_input_tokens ?? 0);
  const completion = usage.output_tokens ?? 0;
  const reason = typeof message.stop_reason === "string"
    ? FINISH_REASONS[message.stop_reason] ?? "stop"
    : null;
  const reply: Json = {
    role: "assistant",
    content: text === "" && toolCalls.length > 0 ? null : text,
  };
  if (toolCalls.length > 0) reply.tool_calls = toolCalls;
  return {
    id: `chatcmpl-${typeof message.id === "string" ? message.id : "ccgate"}`,
    object: "chat.completion",
    created: options.created,
    model: options.model,
    choices: [{ index: 0, message: reply, finish_reason: reason, logprobs: null }],
    usage: {
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: prompt + completion,
    },
  };
}
