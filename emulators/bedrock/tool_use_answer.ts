import { type AnswerOptions, messageAnswer, type ToolUseBlockScript } from "./message_answer.ts";
import type { AnthropicStreamEvent } from "./types.ts";

/** What {@linkcode toolUseAnswer} calls. */
export interface ToolUseAnswerInput extends Omit<ToolUseBlockScript, "type"> {
  /** Optional text block streamed before the tool call. */
  text?: string | string[];
}

/**
 * Builds the stream events of an answer that calls one tool (optionally after
 * some text), its input streamed as `input_json_delta` partial JSON, ending
 * with `stop_reason: "tool_use"`. Pure.
 *
 * @param call Tool name, input, optional id, text and JSON chunk size.
 * @param options Id, model, usage and stop reason.
 * @returns The Anthropic stream events.
 *
 * @example
 * ```ts
 * import { toolUseAnswer } from "./tool_use_answer.ts";
 * const events = toolUseAnswer({ name: "Bash", input: { command: "ls" } });
 * if (events[1]?.type !== "content_block_start") throw new Error("unexpected");
 * ```
 */
export function toolUseAnswer(
  call: ToolUseAnswerInput,
  options: AnswerOptions = {},
): AnthropicStreamEvent[] {
  const { text, ...tool } = call;
  const toolBlock: ToolUseBlockScript = { type: "tool_use", ...tool };
  return messageAnswer(
    text === undefined ? [toolBlock] : [{ type: "text", text }, toolBlock],
    options,
  );
}
