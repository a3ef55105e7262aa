import { BedrockEmulatorError } from "./errors.ts";
import type { AnthropicContentBlock, AnthropicMessage, AnthropicStreamEvent } from "./types.ts";

/**
 * Folds Anthropic stream events into the non-streamed message, the way the
 * Messages API (and Bedrock's `InvokeModel`) would have answered the same
 * request without streaming. Pure; the input is not modified.
 *
 * @param events The stream events, starting with `message_start`.
 * @returns The final message.
 * @throws {BedrockEmulatorError} `invalid_event_sequence` when there is no
 *   `message_start`, a delta names an unknown block, or the events carry an `error`.
 *
 * @example
 * ```ts
 * import { eventsToMessage } from "./events_to_message.ts";
 * import { textAnswer } from "./text_answer.ts";
 * const message = eventsToMessage(textAnswer("Hello there"));
 * if (message.content[0]?.type !== "text" || message.content[0].text !== "Hello there") {
 *   throw new Error("unexpected");
 * }
 * ```
 */
export function eventsToMessage(events: readonly AnthropicStreamEvent[]): AnthropicMessage {
  let message: AnthropicMessage | undefined;
  const blocks: AnthropicContentBlock[] = [];
  const partialJson = new Map<number, string>();

  const blockAt = (index: number): AnthropicContentBlock => {
    const block = blocks[index];
    if (block === undefined) {
      throw new BedrockEmulatorError(
        "invalid_event_sequence",
        `Cannot apply delta: no content block at index ${index}`,
      );
    }
    return block;
  };

  for (const event of events) {
    switch (event.type) {
      case "message_start":
        message = structuredClone(event.message);
        break;
      case "content_block_start":
        blocks[event.index] = structuredClone(event.content_block);
        break;
      case "content_block_delta": {
        const block = blockAt(event.index);
        const delta = event.delta;
        if (delta.type === "text_delta" && block.type === "text") block.text += delta.text;
        else if (delta.type === "thinking_delta" && block.type === "thinking") {
          block.thinking += delta.thinking;
        } else if (delta.type === "signature_delta" && block.type === "thinking") {
          block.signature += delta.signature;
        } else if (delta.type === "input_json_delta" && block.type === "tool_use") {
          partialJson.set(event.index, (partialJson.get(event.index) ?? "") + delta.partial_json);
        } else {
          throw new BedrockEmulatorError(
            "invalid_event_sequence",
            `Cannot apply delta: "${delta.type}" does not fit a "${block.type}" block`,
          );
        }
        break;
      }
      case "content_block_stop": {
        const block = blockAt(event.index);
        const json = partialJson.get(event.index);
        if (block.type === "tool_use" && json !== undefined) {
          block.input = json === "" ? {} : JSON.parse(json);
        }
        break;
      }
      case "message_delta":
        if (message === undefined) break;
        message.stop_reason = event.delta.stop_reason;
        message.stop_sequence = event.delta.stop_sequence;
        message.usage = { ...message.usage, ...event.usage };
        break;
      case "error":
        throw new BedrockEmulatorError(
          "invalid_event_sequence",
          `Cannot fold events: stream carries an error "${event.error.type}"`,
        );
      case "message_stop":
      case "ping":
        break;
    }
  }
  if (message === undefined) {
    throw new BedrockEmulatorError(
      "invalid_event_sequence",
      "Cannot fold events: no message_start event",
    );
  }
  message.content = blocks.filter((b) => b !== undefined);
  return message;
}
