/**
 * Zod schemas of the OpenAI Chat Completions shapes `POST
 * /v1/chat/completions` validates and `/openapi.json` documents.
 *
 * @module
 */
import { z } from "zod";

const textPart = z.object({ type: z.literal("text"), text: z.string() });
const imagePart = z.object({
  type: z.literal("image_url"),
  image_url: z.object({
    url: z.string().describe("A data: URL (data:image/png;base64,...)"),
    detail: z.string().optional(),
  }),
});
const toolCall = z.object({
  id: z.string().min(1),
  type: z.literal("function"),
  function: z.object({ name: z.string().min(1), arguments: z.string() }),
});
const instructions = z.union([z.string(), z.array(textPart)]);

/** One chat message. */
export const chatMessageSchema = z.discriminatedUnion("role", [
  z.looseObject({ role: z.literal("system"), content: instructions }),
  z.looseObject({ role: z.literal("developer"), content: instructions }),
  z.looseObject({
    role: z.literal("user"),
    content: z.union([z.string(), z.array(z.discriminatedUnion("type", [textPart, imagePart]))]),
  }),
  z.looseObject({
    role: z.literal("assistant"),
    content: z.union([z.string(), z.array(textPart), z.null()]).optional(),
    tool_calls: z.array(toolCall).nullish(),
  }),
  z.looseObject({
    role: z.literal("tool"),
    tool_call_id: z.string().min(1),
    content: instructions,
  }),
]).meta({ id: "ChatMessage" });

/** A function tool. */
export const chatToolSchema = z.object({
  type: z.literal("function"),
  function: z.object({
    name: z.string().min(1),
    description: z.string().nullish(),
    parameters: z.record(z.string(), z.unknown()).nullish(),
  }),
}).meta({ id: "ChatTool" });

/**
 * `POST /v1/chat/completions` request body. As in OpenAI's API, an optional
 * field may be `null`, meaning absent (the OpenAI Python SDK sends `None` as
 * `null`).
 */
export const chatCompletionRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(chatMessageSchema).min(1),
  max_tokens: z.int().positive().nullish(),
  max_completion_tokens: z.int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  tools: z.array(chatToolSchema).nullish(),
  tool_choice: z.union([
    z.enum(["none", "auto", "required"]),
    z.object({ type: z.literal("function"), function: z.object({ name: z.string().min(1) }) }),
  ]).nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  n: z.literal(1, { error: "only 1 is supported" }).nullish(),
  user: z.string().nullish(),
  response_format: z.object({ type: z.literal("text", { error: "only text is supported" }) })
    .nullish(),
}).meta({ id: "ChatCompletionRequest" });

/** The validated request. */
export type ChatCompletionRequest = z.output<typeof chatCompletionRequestSchema>;

const usage = z.object({
  prompt_tokens: z.int(),
  completion_tokens: z.int(),
  total_tokens: z.int(),
});

/** `POST /v1/chat/completions` response body (non-streamed). */
export const chatCompletionSchema = z.object({
  id: z.string(),
  object: z.literal("chat.completion"),
  created: z.int(),
  model: z.string(),
  choices: z.array(z.object({
    index: z.int(),
    message: z.object({
      role: z.literal("assistant"),
      content: z.string().nullable(),
      tool_calls: z.array(toolCall).optional(),
    }),
    finish_reason: z.enum(["stop", "length", "tool_calls", "content_filter"]).nullable(),
  })),
  usage,
}).meta({ id: "ChatCompletion" });

/** OpenAI's error body. */
export const openAiErrorSchema = z.object({
  error: z.object({
    message: z.string(),
    type: z.string(),
    param: z.string().nullable(),
    code: z.string().nullable(),
  }),
}).meta({ id: "OpenAiError" });
