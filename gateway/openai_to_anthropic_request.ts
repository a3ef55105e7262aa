import { InvalidRequestError } from "./errors.ts";
import { FALLBACK_MAX_OUTPUT } from "./model_max_output.ts";
import type { ChatCompletionRequest } from "./openai_schemas.ts";

/** Options of {@linkcode openAiToAnthropicRequest}. */
export interface OpenAiToAnthropicOptions {
  /**
   * `max_tokens` when the request has neither `max_tokens` nor `max_completion_tokens`
   * (Anthropic requires one; the route sends the model's maximum output instead when it knows it).
   * @default {FALLBACK_MAX_OUTPUT} (4,096)
   */
  defaultMaxTokens?: number;
}

type Json = Record<string, unknown>;
const DATA_URL = /^data:image\/(png|jpeg|jpg|gif|webp);base64,([A-Za-z0-9+/=\s]+)$/i;
/** What Anthropic allows in a tool use id. */
const NOT_IN_TOOL_ID = /[^a-zA-Z0-9_-]/g;

/**
 * Translates an OpenAI Chat Completions request into an Anthropic Messages
 * request, which then takes the `/v1/messages` path to Bedrock: `system` and
 * `developer` messages become `system`; `tool` messages become `tool_result`
 * blocks of one user turn; assistant `tool_calls` become `tool_use` blocks;
 * `data:` image URLs become base64 image blocks; consecutive turns of one
 * role are merged; `tools`, `tool_choice` (`required` → `any`),
 * `parallel_tool_calls: false`, `stop`, `temperature`, `top_p` and
 * `max_completion_tokens` are mapped. What OpenAI takes and Anthropic
 * refuses is adapted: blank text and blank stop sequences are left out,
 * `parameters` without a `type` become an object schema, tool call ids get
 * `_` for characters Anthropic does not allow, `image/jpg` is `image/jpeg`.
 * `null` is absent. Pure.
 *
 * @param request The validated request.
 * @param options Default `max_tokens`.
 * @returns The Anthropic request body.
 * @throws {InvalidRequestError} For what cannot be translated (a tool call
 * whose `arguments` is not a JSON object, an `http(s)` image URL, a blank
 * last user message).
 *
 * @example
 * ```ts
 * import { openAiToAnthropicRequest } from "./openai_to_anthropic_request.ts";
 * const body = openAiToAnthropicRequest({
 *   model: "claude-sonnet-4-5",
 *   messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hi" }],
 * });
 * console.assert(body.system === "Be brief." && body.max_tokens === 4096);
 * ```
 */
export function openAiToAnthropicRequest(
  request: ChatCompletionRequest,
  options: OpenAiToAnthropicOptions = {},
): Json {
  const system: string[] = [];
  const messages: { role: "user" | "assistant"; content: Json[] }[] = [];
  const push = (role: "user" | "assistant", content: Json[]) => {
    if (content.length === 0) return;
    const last = messages.at(-1);
    if (last !== undefined && last.role === role) last.content.push(...content);
    else messages.push({ role, content });
  };
  request.messages.forEach((message, i) => {
    switch (message.role) {
      case "system":
      case "developer":
        if (_text(message.content).trim() !== "") system.push(_text(message.content));
        break;
      case "user": {
        const blocks = typeof message.content === "string"
          ? _textBlocks(message.content)
          : message.content.flatMap((part, j) =>
            part.type === "text"
              ? _textBlocks(part.text)
              : [_image(part.image_url.url, `messages.${i}.content.${j}.image_url.url`)]
          );
        // Left out, a blank last turn would leave the assistant's turn last: a prefill to continue.
        if (blocks.length === 0 && i === request.messages.length - 1) {
          throw new InvalidRequestError(
            `messages.${i}.content: Input should contain non-whitespace text`,
          );
        }
        push("user", blocks);
        break;
      }
      case "assistant": {
        const blocks: Json[] = [];
        const text = message.content == null ? "" : _text(message.content);
        blocks.push(..._textBlocks(text));
        (message.tool_calls ?? []).forEach((call, j) => {
          blocks.push({
            type: "tool_use",
            id: _toolId(call.id),
            name: call.function.name,
            input: _arguments(call.function.arguments, `messages.${i}.tool_calls.${j}`),
          });
        });
        push("assistant", blocks);
        break;
      }
      case "tool":
        push("user", [{
          type: "tool_result",
          tool_use_id: _toolId(message.tool_call_id),
          content: _text(message.content),
        }]);
        break;
    }
  });

  const out: Json = {
    model: request.model,
    max_tokens: clientMaxTokens(request) ?? options.defaultMaxTokens ?? FALLBACK_MAX_OUTPUT,
  };
  if (system.length > 0) out.system = system.join("\n\n");
  out.messages = messages;
  if (request.tools != null && request.tools.length > 0) {
    out.tools = request.tools.map((tool) => {
      const t: Json = { name: tool.function.name };
      if (tool.function.description != null) t.description = tool.function.description;
      t.input_schema = _inputSchema(tool.function.parameters);
      return t;
    });
  }
  const choice = _toolChoice(request.tool_choice, request.parallel_tool_calls);
  if (choice !== undefined && out.tools !== undefined) out.tool_choice = choice;
  // Anthropic refuses blank stop sequences ("each stop sequence must contain non-whitespace"),
  // which OpenAI takes (`"\n"`): they are left out.
  const stop = (typeof request.stop === "string" ? [request.stop] : request.stop ?? [])
    .filter((s) => s.trim() !== "");
  if (stop.length > 0) out.stop_sequences = stop;
  if (request.temperature != null) out.temperature = Math.min(1, request.temperature);
  if (request.top_p != null) out.top_p = request.top_p;
  if (request.stream === true) out.stream = true;
  return out;
}

/**
 * The `max_tokens` the client asked for (`max_completion_tokens`, else the
 * older `max_tokens`), or `undefined` when it sent neither: the route then
 * sends the model's maximum output (`modelMaxOutput`), which the policy caps
 * instead of refusing (`ModelRequest.maxTokensDefaulted`). Pure.
 *
 * @param request The validated request.
 * @returns The client's value, if any.
 *
 * @example
 * ```ts
 * import { clientMaxTokens } from "./openai_to_anthropic_request.ts";
 * console.assert(clientMaxTokens({ model: "m", messages: [], max_tokens: 100 }) === 100);
 * console.assert(clientMaxTokens({ model: "m", messages: [] }) === undefined);
 * ```
 */
export function clientMaxTokens(request: ChatCompletionRequest): number | undefined {
  return request.max_completion_tokens ?? request.max_tokens ?? undefined;
}

function _text(content: string | { type: "text"; text: string }[]): string {
  return typeof content === "string" ? content : content.map((p) => p.text).join("");
}

/** A text block, or none for empty or blank text (Anthropic refuses those; OpenAI takes them). */
function _textBlocks(text: string): Json[] {
  return text.trim() === "" ? [] : [{ type: "text", text }];
}

/**
 * A tool call id Anthropic takes (`^[a-zA-Z0-9_-]+$`): other characters become `_`, the same way
 * in the call and its result, so that a conversation begun on another provider
 * (`functions.get_weather:0`) still pairs them.
 */
function _toolId(id: string): string {
  return id.replace(NOT_IN_TOOL_ID, "_");
}

/**
 * A function's `parameters` as an Anthropic `input_schema`, which must be an object schema:
 * OpenAI takes no parameters, `{}`, or properties without `"type": "object"`.
 */
function _inputSchema(parameters: Record<string, unknown> | null | undefined): Json {
  const schema = parameters ?? {};
  if (schema.type !== undefined) return schema;
  return { type: "object", properties: {}, ...schema };
}

function _image(url: string, path: string): Json {
  const match = DATA_URL.exec(url);
  if (match === null) {
    throw new InvalidRequestError(
      `${path}: Input should be a base64 data: URL of a png, jpeg, gif or webp image (Bedrock does not fetch URLs)`,
    );
  }
  return {
    type: "image",
    source: {
      type: "base64",
      media_type: _mediaType(match[1]!),
      data: match[2]!.replace(/\s+/g, ""),
    },
  };
}

/** `image/<subtype>` as Anthropic names it: `jpg` (common, not registered) is `jpeg`. */
function _mediaType(subtype: string): string {
  const lower = subtype.toLowerCase();
  return `image/${lower === "jpg" ? "jpeg" : lower}`;
}

function _arguments(text: string, path: string): unknown {
  let value: unknown;
  try {
    value = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    throw new InvalidRequestError(`${path}.function.arguments: Input should be a JSON object`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new InvalidRequestError(`${path}.function.arguments: Input should be a JSON object`);
  }
  return value;
}

function _toolChoice(
  choice: ChatCompletionRequest["tool_choice"],
  parallel: boolean | null | undefined,
): Json | undefined {
  let out: Json | undefined;
  if (choice == null) out = parallel === false ? { type: "auto" } : undefined;
  else if (choice === "none") return { type: "none" };
  else if (choice === "auto") out = { type: "auto" };
  else if (choice === "required") out = { type: "any" };
  else out = { type: "tool", name: choice.function.name };
  if (out !== undefined && parallel === false) out.disable_parallel_tool_use = true;
  return out;
}
