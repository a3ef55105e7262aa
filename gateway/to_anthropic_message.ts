import { parseBedrockJson } from "./parse_bedrock_json.ts";
import { readUsage, type TokenUsage } from "./usage.ts";

/** Options of {@linkcode toAnthropicMessage}. */
export interface ToAnthropicMessageOptions {
  /** The model name the client asked for; replaces Bedrock's `model` when given. */
  model?: string;
}

/** A non-streamed answer ready for the client. */
export interface AnthropicMessage {
  /** The response body (JSON). */
  body: string;
  /** Token usage for the usage record. */
  usage: TokenUsage;
}

const METRICS = "amazon-bedrock-invocationMetrics";

/**
 * Turns Bedrock's InvokeModel response body, already an Anthropic message,
 * into the body the client receives. Only two things change, in place so key
 * order is kept: `model` becomes the name the client asked for (Claude Code
 * keys its cost and context accounting on it), and Bedrock's
 * `amazon-bedrock-invocationMetrics`, if present, is removed.
 *
 * @param bytes Bedrock's response body.
 * @param options The requested model name.
 * @returns The body and its usage.
 * @throws {UpstreamError} When Bedrock's body is not a JSON object (502 api_error).
 *
 * @example
 * ```ts
 * import { toAnthropicMessage } from "./to_anthropic_message.ts";
 * const bedrock = new TextEncoder().encode(
 *   '{"id":"msg_1","type":"message","model":"claude-opus-4-8","usage":{"input_tokens":3,"output_tokens":5}}',
 * );
 * const out = toAnthropicMessage(bedrock, { model: "opus" });
 * console.assert(JSON.parse(out.body).model === "opus" && out.usage.outputTokens === 5);
 * ```
 */
export function toAnthropicMessage(
  bytes: Uint8Array,
  options: ToAnthropicMessageOptions = {},
): AnthropicMessage {
  const m = parseBedrockJson(bytes, "a malformed response");
  if (options.model !== undefined && "model" in m) m.model = options.model;
  delete m[METRICS];
  return { body: JSON.stringify(m), usage: readUsage(m.usage) };
}
