import { type AnswerOptions, messageAnswer } from "./message_answer.ts";
import type { AnthropicStreamEvent } from "./types.ts";

/** What {@linkcode thinkingAnswer} streams. */
export interface ThinkingAnswerInput {
  /** The thinking text (streamed word by word) or its exact `thinking_delta` pieces. */
  thinking: string | string[];
  /** Signature of the thinking block. @default "emulated-signature" */
  signature?: string;
  /** The visible answer after the thinking block. */
  text: string | string[];
}

/**
 * Builds the stream events of an extended-thinking answer: a thinking block
 * (`thinking_delta` pieces, then a `signature_delta`) followed by a text block. Pure.
 *
 * @param answer Thinking, signature and text.
 * @param options Id, model, usage and stop reason.
 * @returns The Anthropic stream events.
 *
 * @example
 * ```ts
 * import { thinkingAnswer } from "./thinking_answer.ts";
 * const events = thinkingAnswer({ thinking: "Let me think.", text: "42" });
 * if (!events.some((e) => e.type === "content_block_delta" && e.delta.type === "signature_delta")) {
 *   throw new Error("unexpected");
 * }
 * ```
 */
export function thinkingAnswer(
  answer: ThinkingAnswerInput,
  options: AnswerOptions = {},
): AnthropicStreamEvent[] {
  return messageAnswer([
    { type: "thinking", thinking: answer.thinking, signature: answer.signature },
    { type: "text", text: answer.text },
  ], options);
}
