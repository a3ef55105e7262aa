import { type AnswerOptions, messageAnswer } from "./message_answer.ts";
import type { AnthropicStreamEvent } from "./types.ts";

/**
 * Builds the stream events of a plain text answer. Pure.
 *
 * @param text The answer; a string is streamed word by word, an array is
 *   streamed as exactly those `text_delta` pieces.
 * @param options Id, model, usage and stop reason.
 * @returns The Anthropic stream events.
 *
 * @example Two chosen chunks with cache usage
 * ```ts
 * import { textAnswer } from "./text_answer.ts";
 * const events = textAnswer(["Hel", "lo"], { usage: { cache_read_input_tokens: 100 } });
 * if (events.length !== 7) throw new Error("unexpected");
 * ```
 */
export function textAnswer(
  text: string | string[],
  options: AnswerOptions = {},
): AnthropicStreamEvent[] {
  return messageAnswer([{ type: "text", text }], options);
}
