/**
 * Zod schemas of the Anthropic API shapes the gateway validates beyond the
 * Messages hot path (which `toBedrockRequest` checks in one pass), and that
 * `/openapi.json` is generated from. Unknown fields are allowed (`loose`):
 * the Bedrock compatibility rules decide what to forward.
 *
 * @module
 */
import { z } from "zod";

/** A content block: only `type` is checked here; the translator checks the rest. */
export const contentBlockSchema = z.looseObject({
  type: z.string().min(1).describe("Block type: text, image, document, tool_use, tool_result, ..."),
}).meta({ id: "ContentBlock" });

/** One conversation turn. */
export const messageParamSchema = z.looseObject({
  role: z.enum(["user", "assistant", "system"]),
  content: z.union([z.string(), z.array(contentBlockSchema)]),
}).meta({ id: "MessageParam" });

/** A tool definition. */
export const toolSchema = z.looseObject({
  name: z.string().min(1),
  description: z.string().optional(),
  input_schema: z.record(z.string(), z.unknown()).optional(),
}).meta({ id: "Tool" });

/** The fields a Messages request and a count_tokens request share. */
const _conversation = {
  model: z.string().min(1).describe(
    "Claude model name (claude-sonnet-4-5, ...), a configured alias, or a Bedrock id",
  ),
  messages: z.array(messageParamSchema),
  system: z.union([z.string(), z.array(contentBlockSchema)]).optional(),
  tools: z.array(toolSchema).optional(),
  tool_choice: z.looseObject({ type: z.string() }).optional(),
  thinking: z.looseObject({ type: z.string(), budget_tokens: z.int().positive().optional() })
    .optional(),
};

/** `POST /v1/messages/count_tokens` request body. */
export const countTokensRequestSchema = z.looseObject(_conversation).meta({
  id: "CountTokensRequest",
});

/** `POST /v1/messages/count_tokens` response body. */
export const countTokensResponseSchema = z.object({
  input_tokens: z.int().nonnegative(),
}).meta({ id: "CountTokensResponse" });

/**
 * `POST /v1/messages` request body, as documented in `/openapi.json`; the
 * route itself validates in `toBedrockRequest` (same rules, one pass).
 */
export const messagesRequestSchema = z.looseObject({
  ..._conversation,
  max_tokens: z.int().positive(),
  stream: z.boolean().optional(),
  temperature: z.number().optional(),
  top_p: z.number().optional(),
  top_k: z.int().optional(),
  stop_sequences: z.array(z.string()).optional(),
  metadata: z.looseObject({}).optional(),
}).meta({ id: "MessagesRequest" });

/** One model of `GET /v1/models`. */
export const modelInfoSchema = z.object({
  type: z.literal("model"),
  id: z.string(),
  display_name: z.string(),
  created_at: z.string().describe("RFC 3339 release date; 1970-01-01T00:00:00Z when unknown"),
}).meta({ id: "ModelInfo" });

/** `GET /v1/models` response body. */
export const modelListSchema = z.object({
  data: z.array(modelInfoSchema),
  has_more: z.boolean(),
  first_id: z.string().nullable(),
  last_id: z.string().nullable(),
}).meta({ id: "ModelList" });

/** `GET /v1/models` query. */
export const modelListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  after_id: z.string().min(1).optional(),
  before_id: z.string().min(1).optional(),
});

/** Anthropic's error body. */
export const anthropicErrorSchema = z.object({
  type: z.literal("error"),
  error: z.object({ type: z.string(), message: z.string() }),
  request_id: z.string().optional(),
}).meta({ id: "AnthropicError" });
