/**
 * Shapes shared by the Bedrock emulator: Anthropic stream events (what each
 * Bedrock `chunk` carries) and the non-streamed message (what `/invoke`
 * returns).
 *
 * @module
 */

/** Token usage as Anthropic reports it (Bedrock passes it through). */
export interface AnthropicUsage {
  /** Input tokens that were neither read from nor written to the cache. */
  input_tokens: number;
  /** Output tokens generated so far (final count in `message_delta`). */
  output_tokens: number;
  /** Input tokens written to the prompt cache. */
  cache_creation_input_tokens?: number;
  /** Input tokens read from the prompt cache. */
  cache_read_input_tokens?: number;
  /** `cache_creation_input_tokens` by cache lifetime (absent from older answers). */
  cache_creation?: AnthropicCacheCreation;
}

/** Prompt-cache writes by lifetime, as Anthropic (and Bedrock) report them in `usage.cache_creation`. */
export interface AnthropicCacheCreation {
  /** Tokens written to the 5-minute cache (`cache_control` without `ttl`, or `ttl: "5m"`). */
  ephemeral_5m_input_tokens: number;
  /** Tokens written to the 1-hour cache (`cache_control.ttl: "1h"`). */
  ephemeral_1h_input_tokens: number;
}

/** A content block of a message, as Anthropic sends it. */
export type AnthropicContentBlock =
  | { type: "text"; text: string }
  | { type: "tool_use"; id: string; name: string; input: unknown }
  | { type: "thinking"; thinking: string; signature: string }
  | { type: "redacted_thinking"; data: string };

/** Why the model stopped. */
export type AnthropicStopReason =
  | "end_turn"
  | "max_tokens"
  | "stop_sequence"
  | "tool_use"
  | "pause_turn"
  | "refusal";

/** The non-streamed message: the body of a successful `InvokeModel` for Claude. */
export interface AnthropicMessage {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: AnthropicContentBlock[];
  stop_reason: AnthropicStopReason | null;
  stop_sequence: string | null;
  usage: AnthropicUsage;
}

/** A delta inside a `content_block_delta` event. */
export type AnthropicDelta =
  | { type: "text_delta"; text: string }
  | { type: "input_json_delta"; partial_json: string }
  | { type: "thinking_delta"; thinking: string }
  | { type: "signature_delta"; signature: string };

/** Bedrock's per-invocation metrics, added to the final `message_stop` event. */
export interface InvocationMetrics {
  inputTokenCount: number;
  outputTokenCount: number;
  invocationLatency: number;
  firstByteLatency: number;
  cacheReadInputTokenCount?: number;
  cacheWriteInputTokenCount?: number;
}

/** One Anthropic Messages API stream event (the JSON inside a Bedrock `chunk`). */
export type AnthropicStreamEvent =
  | { type: "message_start"; message: AnthropicMessage }
  | {
    type: "content_block_start";
    index: number;
    content_block: AnthropicContentBlock;
  }
  | { type: "content_block_delta"; index: number; delta: AnthropicDelta }
  | { type: "content_block_stop"; index: number }
  | {
    type: "message_delta";
    delta: { stop_reason: AnthropicStopReason | null; stop_sequence: string | null };
    usage: { output_tokens: number } & Partial<AnthropicUsage>;
  }
  | {
    type: "message_stop";
    "amazon-bedrock-invocationMetrics"?: InvocationMetrics;
    /** Whether the request's guardrail intervened (only with a guardrail). */
    "amazon-bedrock-guardrailAction"?: "NONE" | "INTERVENED";
    /** The guardrail's assessment (only with a guardrail and `X-Amzn-Bedrock-Trace`). */
    "amazon-bedrock-trace"?: { guardrail: Record<string, unknown> };
  }
  | { type: "ping" }
  | { type: "error"; error: { type: string; message: string } };
