import type {
  AnthropicMessage,
  AnthropicStopReason,
  AnthropicStreamEvent,
  AnthropicUsage,
} from "./types.ts";

/** A text block of a scripted answer. */
export interface TextBlockScript {
  type: "text";
  /** The whole text, or the exact `text_delta` pieces to stream. */
  text: string | string[];
}

/** A tool_use block of a scripted answer, streamed as `input_json_delta` pieces. */
export interface ToolUseBlockScript {
  type: "tool_use";
  /** Tool name. */
  name: string;
  /** Tool input (any JSON value, usually an object). */
  input: unknown;
  /** Tool use id. @default "toolu_emulated_<block index>" */
  id?: string;
  /** Characters of serialized JSON per `input_json_delta`. @default 16 */
  jsonChunkSize?: number;
}

/** A thinking block of a scripted answer (`thinking_delta` pieces, then one `signature_delta`). */
export interface ThinkingBlockScript {
  type: "thinking";
  /** The whole thinking text, or the exact `thinking_delta` pieces. */
  thinking: string | string[];
  /** Signature sent in the `signature_delta`. @default "emulated-signature" */
  signature?: string;
}

/** One content block of a scripted answer. */
export type BlockScript = TextBlockScript | ToolUseBlockScript | ThinkingBlockScript;

/** Options shared by the answer builders. */
export interface AnswerOptions {
  /** Message id. @default "msg_bdrk_emulated" */
  id?: string;
  /** Model name reported in `message_start`. @default "claude-emulated" */
  model?: string;
  /**
   * Usage. `input_tokens` defaults to 10, `output_tokens` to an estimate (1 per
   * 4 characters of output), cache counts to 0; `cache_creation` (the
   * writes by lifetime) is reported only when given.
   */
  usage?: Partial<AnthropicUsage>;
  /** Stop reason. @default "tool_use" when a tool_use block is present, else "end_turn" */
  stopReason?: AnthropicStopReason;
  /** Stop sequence reported with `stop_reason: "stop_sequence"`. @default null */
  stopSequence?: string | null;
}

/**
 * Builds the Anthropic stream events of one assistant message made of the
 * given blocks: `message_start`, per block `content_block_start`, deltas and
 * `content_block_stop`, then `message_delta` and `message_stop`. Pure.
 *
 * @param blocks The content blocks, in order.
 * @param options Id, model, usage and stop reason.
 * @returns The event list, ready for `enqueue()` or {@linkcode eventsToMessage}.
 *
 * @example Text then a tool call
 * ```ts
 * import { messageAnswer } from "./message_answer.ts";
 * const events = messageAnswer([
 *   { type: "text", text: "Let me look." },
 *   { type: "tool_use", name: "Read", input: { path: "a.ts" } },
 * ]);
 * if (events.at(-2)?.type !== "message_delta") throw new Error("unexpected");
 * ```
 */
export function messageAnswer(
  blocks: readonly BlockScript[],
  options: AnswerOptions = {},
): AnthropicStreamEvent[] {
  const body: AnthropicStreamEvent[] = [];
  let outputChars = 0;
  blocks.forEach((block, index) => {
    switch (block.type) {
      case "text": {
        const pieces = typeof block.text === "string" ? splitWords(block.text) : block.text;
        body.push({
          type: "content_block_start",
          index,
          content_block: { type: "text", text: "" },
        });
        for (const text of pieces) {
          outputChars += text.length;
          body.push({ type: "content_block_delta", index, delta: { type: "text_delta", text } });
        }
        break;
      }
      case "tool_use": {
        const json = JSON.stringify(block.input ?? {});
        outputChars += json.length + block.name.length;
        body.push({
          type: "content_block_start",
          index,
          content_block: {
            type: "tool_use",
            id: block.id ?? `toolu_emulated_${index}`,
            name: block.name,
            input: {},
          },
        });
        body.push({
          type: "content_block_delta",
          index,
          delta: { type: "input_json_delta", partial_json: "" },
        });
        for (const partial_json of splitSize(json, block.jsonChunkSize ?? 16)) {
          body.push({
            type: "content_block_delta",
            index,
            delta: { type: "input_json_delta", partial_json },
          });
        }
        break;
      }
      case "thinking": {
        const pieces = typeof block.thinking === "string"
          ? splitWords(block.thinking)
          : block.thinking;
        body.push({
          type: "content_block_start",
          index,
          content_block: { type: "thinking", thinking: "", signature: "" },
        });
        for (const thinking of pieces) {
          outputChars += thinking.length;
          body.push({
            type: "content_block_delta",
            index,
            delta: { type: "thinking_delta", thinking },
          });
        }
        body.push({
          type: "content_block_delta",
          index,
          delta: { type: "signature_delta", signature: block.signature ?? "emulated-signature" },
        });
        break;
      }
    }
    body.push({ type: "content_block_stop", index });
  });

  const usage: AnthropicUsage = {
    input_tokens: options.usage?.input_tokens ?? 10,
    cache_creation_input_tokens: options.usage?.cache_creation_input_tokens ?? 0,
    cache_read_input_tokens: options.usage?.cache_read_input_tokens ?? 0,
    output_tokens: options.usage?.output_tokens ?? Math.max(1, Math.ceil(outputChars / 4)),
  };
  if (options.usage?.cache_creation !== undefined) {
    usage.cache_creation = { ...options.usage.cache_creation };
  }
  const message: AnthropicMessage = {
    id: options.id ?? "msg_bdrk_emulated",
    type: "message",
    role: "assistant",
    model: options.model ?? "claude-emulated",
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { ...usage, output_tokens: 1 },
  };
  const stopReason = options.stopReason ??
    (blocks.some((b) => b.type === "tool_use") ? "tool_use" : "end_turn");
  return [
    { type: "message_start", message },
    ...body,
    {
      type: "message_delta",
      delta: { stop_reason: stopReason, stop_sequence: options.stopSequence ?? null },
      usage: { output_tokens: usage.output_tokens },
    },
    { type: "message_stop" },
  ];
}

/** Splits text into word-sized pieces, each keeping its trailing whitespace. */
function splitWords(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? (text === "" ? [] : [text]);
}

/** Splits text into pieces of at most `size` characters. */
function splitSize(text: string, size: number): string[] {
  const step = Math.max(1, Math.floor(size));
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += step) pieces.push(text.slice(i, i + step));
  return pieces;
}
