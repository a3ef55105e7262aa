import { z } from "zod";
import {
  anthropicErrorSchema,
  contentBlockSchema,
  countTokensRequestSchema,
  countTokensResponseSchema,
  messageParamSchema,
  messagesRequestSchema,
  modelInfoSchema,
  modelListSchema,
  toolSchema,
} from "./anthropic_schemas.ts";
import {
  chatCompletionRequestSchema,
  chatCompletionSchema,
  chatMessageSchema,
  chatToolSchema,
  openAiErrorSchema,
} from "./openai_schemas.ts";

type Json = Record<string, unknown>;

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const json = (schema: Json, description = "OK") => ({
  description,
  content: { "application/json": { schema } },
});
const bearer = [{ bearer: [] }];
const anthropicErrors = { default: json(ref("AnthropicError"), "Error (Anthropic shape)") };

/**
 * The OpenAPI 3.1 document of the gateway, generated from the zod schemas
 * the handlers validate with (`z.toJSONSchema`), so the document cannot
 * drift from the validation. Pure; build it once.
 *
 * @returns The document.
 *
 * @example
 * ```ts
 * import { openApiDocument } from "./openapi_document.ts";
 * const doc = openApiDocument() as { paths: Record<string, unknown> };
 * console.assert("/v1/chat/completions" in doc.paths);
 * ```
 */
export function openApiDocument(): Json {
  const registry = z.registry<{ id?: string }>();
  for (
    const schema of [
      anthropicErrorSchema,
      contentBlockSchema,
      messageParamSchema,
      toolSchema,
      chatMessageSchema,
      chatToolSchema,
      countTokensRequestSchema,
      countTokensResponseSchema,
      messagesRequestSchema,
      modelInfoSchema,
      modelListSchema,
      chatCompletionRequestSchema,
      chatCompletionSchema,
      openAiErrorSchema,
    ]
  ) {
    const id = z.globalRegistry.get(schema)?.id;
    if (id !== undefined) registry.add(schema, { id });
  }
  const { schemas } = z.toJSONSchema(registry, {
    target: "draft-2020-12",
    io: "input",
    unrepresentable: "any",
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, Json> };
  for (const schema of Object.values(schemas)) {
    delete schema.$schema;
    delete schema.$id;
  }

  return {
    openapi: "3.1.0",
    info: {
      title: "ccgate gateway",
      version: "0.1.0",
      description:
        "Claude Code and other tools in front of Amazon Bedrock, with a ccgate access token as the bearer.",
    },
    components: {
      schemas,
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: "A ccgate access token (`ccgate token`); `x-api-key` is accepted too.",
        },
      },
    },
    paths: {
      "/v1/messages": {
        post: {
          summary: "Anthropic Messages API (stream with `stream: true`)",
          security: bearer,
          requestBody: {
            required: true,
            content: { "application/json": { schema: ref("MessagesRequest") } },
          },
          responses: {
            "200": {
              description: "A message, or `text/event-stream` events",
              content: { "application/json": {}, "text/event-stream": {} },
            },
            ...anthropicErrors,
          },
        },
      },
      "/v1/messages/count_tokens": {
        post: {
          summary:
            "Count input tokens (Bedrock CountTokens; `x-ccgate-token-count: estimated` when the model cannot count)",
          security: bearer,
          requestBody: {
            required: true,
            content: { "application/json": { schema: ref("CountTokensRequest") } },
          },
          responses: { "200": json(ref("CountTokensResponse")), ...anthropicErrors },
        },
      },
      "/v1/models": {
        get: {
          summary: "Models this user may use",
          security: bearer,
          parameters: [
            { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 1000 } },
            { name: "after_id", in: "query", schema: { type: "string" } },
            { name: "before_id", in: "query", schema: { type: "string" } },
          ],
          responses: { "200": json(ref("ModelList")), ...anthropicErrors },
        },
      },
      "/v1/models/{id}": {
        get: {
          summary: "One model",
          security: bearer,
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          responses: { "200": json(ref("ModelInfo")), ...anthropicErrors },
        },
      },
      "/claude-code/aliases": {
        get: {
          summary:
            "The model each Claude Code alias (opus, sonnet, haiku, fable) should take for this user: the newest of its family this user may use, with its Bedrock id here (`ccgate install --mode bedrock` writes them into ANTHROPIC_DEFAULT_*_MODEL)",
          security: bearer,
          responses: {
            "200": {
              description:
                '`{"aliases": {"sonnet": {"model": "claude-sonnet-5-5", "bedrock": "us.anthropic.claude-sonnet-5-5"}, ...}}`; an alias with no model is absent',
            },
            ...anthropicErrors,
          },
        },
      },
      "/v1/chat/completions": {
        post: {
          summary: "OpenAI Chat Completions (stream with `stream: true`)",
          security: bearer,
          requestBody: {
            required: true,
            content: { "application/json": { schema: ref("ChatCompletionRequest") } },
          },
          responses: {
            "200": {
              description: "A completion, or `text/event-stream` chunks ending with `data: [DONE]`",
              content: {
                "application/json": { schema: ref("ChatCompletion") },
                "text/event-stream": {},
              },
            },
            default: json(ref("OpenAiError"), "Error (OpenAI shape)"),
          },
        },
      },
      ..._bedrockPaths(),
      "/healthz": { get: { summary: "Liveness", responses: { "200": { description: "OK" } } } },
      "/readyz": {
        get: {
          summary: "Readiness (config, KV, Bedrock)",
          responses: { "200": { description: "Ready" }, "503": { description: "Not ready" } },
        },
      },
    },
  };
}

function _bedrockPaths(): Json {
  const modelId = { name: "modelId", in: "path", required: true, schema: { type: "string" } };
  const bedrockError = {
    default: {
      description: 'Error (Bedrock shape: `{"message"}` and `x-amzn-ErrorType`)',
      content: {
        "application/json": {
          schema: { type: "object", properties: { message: { type: "string" } } },
        },
      },
    },
  };
  const invokeBody = {
    required: true,
    content: {
      "application/json": {
        schema: {
          type: "object",
          description:
            "A Bedrock InvokeModel body for Claude (`anthropic_version`, `anthropic_beta`, ...)",
        },
      },
    },
  };
  return {
    "/inference-profiles": {
      get: {
        summary:
          "Bedrock ListInferenceProfiles: the profiles this deployment offers (no credentials needed)",
        parameters: [
          { name: "type", in: "query", schema: { enum: ["SYSTEM_DEFINED", "APPLICATION"] } },
          { name: "maxResults", in: "query", schema: { type: "integer" } },
          { name: "nextToken", in: "query", schema: { type: "string" } },
        ],
        responses: {
          "200": { description: "`{inferenceProfileSummaries, nextToken?}`" },
          ...bedrockError,
        },
      },
    },
    "/model/{modelId}/invoke": {
      post: {
        summary: "Bedrock InvokeModel",
        security: bearer,
        parameters: [modelId],
        requestBody: invokeBody,
        responses: { "200": { description: "Bedrock's answer" }, ...bedrockError },
      },
    },
    "/model/{modelId}/invoke-with-response-stream": {
      post: {
        summary: "Bedrock InvokeModelWithResponseStream",
        security: bearer,
        parameters: [modelId],
        requestBody: invokeBody,
        responses: {
          "200": {
            description: "`application/vnd.amazon.eventstream` frames",
            content: { "application/vnd.amazon.eventstream": {} },
          },
          ...bedrockError,
        },
      },
    },
    "/model/{modelId}/count-tokens": {
      post: {
        summary: "Bedrock CountTokens (`input.invokeModel.body`)",
        security: bearer,
        parameters: [modelId],
        responses: { "200": { description: '`{"inputTokens": n}`' }, ...bedrockError },
      },
    },
  };
}
