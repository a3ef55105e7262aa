import {
  BEDROCK_ANTHROPIC_VERSION,
  type BedrockFamily,
  bedrockFamily,
  DEFAULT_BEDROCK_FAMILY,
  TOOL_SEARCH_ASKED_BY,
  TOOL_SEARCH_BETA,
} from "./bedrock_compat.ts";
import { bedrockContextManagement, CONTEXT_MANAGEMENT_BETA } from "./bedrock_context_management.ts";
import { bedrockBlocks, bedrockMessages } from "./bedrock_messages.ts";
import { bedrockTools, checkHostedTools } from "./bedrock_tools.ts";
import { checkUnsupportedField } from "./check_unsupported_field.ts";
import { InvalidRequestError, RequestTooLargeError } from "./errors.ts";
import { jsonSourceSlices } from "./json_source_slices.ts";
import { spliceJson } from "./splice_json.ts";

/** Options of {@linkcode toBedrockRequest}. */
export interface ToBedrockRequestOptions {
  /** The resolved Bedrock model id, inference profile id or ARN. */
  modelId: string;
  /**
   * Flags of the request's `anthropic-beta` header (see `parseAnthropicBeta`).
   * @default {[]}
   */
  betas?: readonly string[];
  /**
   * The verified identity to put in `metadata.user_id`; when absent the
   * client's (unverified) `metadata` is dropped.
   */
  userId?: string;
  /**
   * Compatibility rules to apply.
   * @default {bedrockFamily(modelId), else the family of the body's `model` when the id cannot be classified (an application inference profile ARN)}
   */
  family?: BedrockFamily;
  /**
   * The UTF-8 JSON text `body` was parsed from (see `readJsonBody`), when
   * `body` is exactly `JSON.parse` of it, unmodified: the parts the
   * translation keeps as they are (typically `system` and `tools`, most of a
   * Claude Code request) are then copied from it byte for byte instead of
   * being serialised and encoded again. The result parses to the same value.
   */
  source?: Uint8Array;
  /**
   * What to do with a `context_management` edit the model cannot apply on
   * Bedrock (see `bedrockContextManagement`): refuse the request, or drop the
   * edit (token counting).
   * @default {"refuse"}
   */
  unsupportedEdits?: "refuse" | "drop";
  /**
   * Whether tool search may be forwarded: it is when this is `true`, the
   * client asked for it (`tool-search-tool-2025-10-19` or
   * `advanced-tool-use-2025-11-20`, header or body) and the family takes it
   * (Claude 4 and later); `false` gives the conservative translation
   * (`defer_loading` and tool_search_tool_* tools dropped, `tool_reference`
   * blocks as text), for a model Bedrock refused it for, or token counting.
   * @default {true}
   */
  toolSearch?: boolean;
}

/** A request ready for InvokeModel(WithResponseStream). */
export interface BedrockRequest {
  /** The JSON body Bedrock receives, UTF-8. */
  body: Uint8Array;
  /** The model id to invoke. */
  modelId: string;
  /** Betas forwarded in `anthropic_beta`. */
  betas: string[];
  /** Whether tool search was forwarded (its beta is in `betas`). */
  toolSearch: boolean;
  /**
   * What was removed or rewritten, e.g. `beta:claude-code-20250219`,
   * `field:tools.3.defer_loading`, `rewrite:messages.1.role`.
   */
  dropped: string[];
}

type Json = Record<string, unknown>;

/** InvokeModel's largest body (its `body` member: 25,000,000 bytes). */
export const BEDROCK_MAX_BODY_BYTES = 25_000_000;

const TOP_LEVEL_KEPT = new Set(["max_tokens", "stop_sequences", "tool_choice"]);
const encoder = new TextEncoder();

/**
 * Translates an Anthropic Messages API request body into the body Bedrock's
 * InvokeModel expects: `anthropic_version` first, `model` and `stream`
 * removed, betas filtered for the model family, `metadata.user_id` set to the
 * verified identity, fields Bedrock rejects removed or rewritten, and
 * `role: "system"` messages turned into `<system-reminder>` text in the
 * adjacent user turn. Tool search, asked for by either of its names, is
 * forwarded to the families that take it (see `toolSearch`).
 *
 * One pass over the top level and the message/tool arrays; untouched
 * subtrees are shared, not copied, and kept objects keep their key order so
 * cached prompt prefixes stay byte-identical.
 *
 * @param body The parsed request body.
 * @param options Model, betas, identity.
 * @returns The Bedrock body and what was dropped.
 * @throws {InvalidRequestError} When the body is not a valid Messages request
 * (the message names the field, e.g. `messages.2.content: ...`), or asks for
 * what Bedrock cannot do and dropping it would change the answer: a
 * `tool_choice` naming a tool Bedrock cannot run, tools that are all
 * Anthropic-hosted (web search, ...), an image or document given
 * by URL or Files API id, MCP servers (`mcp_servers`), an `inference_geo`
 * other than `"global"`, a `context_management` edit the model cannot apply
 * on Bedrock (see `bedrockContextManagement`).
 * @throws {RequestTooLargeError} When the Bedrock body is over
 * {@linkcode BEDROCK_MAX_BODY_BYTES} (Anthropic's API takes 32 MB).
 *
 * @example Translate a minimal request
 * ```ts
 * import { toBedrockRequest } from "./to_bedrock_request.ts";
 * const out = toBedrockRequest(
 *   { model: "claude-sonnet-4-5", max_tokens: 10, messages: [{ role: "user", content: "hi" }] },
 *   { modelId: "us.anthropic.claude-sonnet-4-5-20250929-v1:0", userId: "u1" },
 * );
 * const sent = JSON.parse(new TextDecoder().decode(out.body));
 * console.assert(sent.anthropic_version === "bedrock-2023-05-31" && sent.model === undefined);
 * ```
 */
export function toBedrockRequest(body: unknown, options: ToBedrockRequestOptions): BedrockRequest {
  if (!_isObject(body)) throw new InvalidRequestError("Request body must be a JSON object");
  const family = options.family ?? _familyOf(options.modelId, body.model);
  const dropped: string[] = [];

  const asked = _askedBetas(body.anthropic_beta, options.betas ?? []);
  // Tool search (client-side in Claude Code: defer_loading tools, tool_reference answers), by
  // either of its names, where the family takes it; else the conservative translation.
  const toolSearch = options.toolSearch !== false && family.betas.has(TOOL_SEARCH_BETA) &&
    asked.some((b) => TOOL_SEARCH_ASKED_BY.includes(b));
  const betas = _betas(asked, family, dropped, toolSearch);
  if (
    body.context_management != null && family.betas.has(CONTEXT_MANAGEMENT_BETA) &&
    !betas.includes(CONTEXT_MANAGEMENT_BETA)
  ) betas.push(CONTEXT_MANAGEMENT_BETA); // Bedrock refuses the field without its beta.
  const out: Json = { anthropic_version: BEDROCK_ANTHROPIC_VERSION };
  if (betas.length > 0) out.anthropic_beta = betas;

  _requireMaxTokens(body.max_tokens);
  if (!("messages" in body)) throw new InvalidRequestError("messages: Field required");

  let sawMetadata = false;
  for (const key of Object.keys(body)) {
    const value = body[key];
    switch (key) {
      case "stream":
        // The gateway picks InvokeModel or its streaming form from it: a wrong type is no guess.
        if (value != null && typeof value !== "boolean") {
          throw new InvalidRequestError("stream: Input should be a valid boolean");
        }
        break;
      case "model":
      case "anthropic_version":
      case "anthropic_beta":
        break;
      case "messages":
        out.messages = bedrockMessages(value, family, dropped, toolSearch);
        break;
      case "system":
        out.system = _system(value, family, dropped);
        break;
      case "tools": {
        const tools = bedrockTools(value, family, dropped, toolSearch);
        if (tools !== undefined) out.tools = tools;
        break;
      }
      case "metadata":
        sawMetadata = true;
        if (options.userId !== undefined) out.metadata = { user_id: options.userId };
        else dropped.push("field:metadata");
        break;
      case "thinking": {
        const thinking = _thinking(value, body.max_tokens as number, family, dropped);
        if (thinking !== undefined) out.thinking = thinking;
        break;
      }
      case "context_management": {
        const kept = bedrockContextManagement(value, {
          family,
          model: typeof body.model === "string" ? body.model : options.modelId,
          unsupported: options.unsupportedEdits,
        });
        if (kept !== undefined) out.context_management = kept;
        else dropped.push("field:context_management");
        break;
      }
      case "output_config": {
        const config = _outputConfig(value, family, dropped);
        if (config !== undefined) out.output_config = config;
        break;
      }
      case "mcp_servers":
      case "inference_geo":
        // Refused when dropping would change the answer (see checkUnsupportedField).
        checkUnsupportedField(key, value);
        dropped.push(`field:${key}`);
        break;
      case "output_format":
        // The structured-outputs beta's field; Bedrock has it as `output_config.format`.
        if (!_isObject(value)) {
          throw new InvalidRequestError("output_format: Input should be an object");
        }
        break;
      case "temperature":
      case "top_k":
        if (family.sampling === "drop") dropped.push(`field:${key}`);
        else out[key] = value;
        break;
      case "top_p":
        if (
          family.sampling === "drop" ||
          (family.sampling === "temperature-or-top_p" && body.temperature !== undefined)
        ) dropped.push("field:top_p");
        else out.top_p = value;
        break;
      default:
        if (TOP_LEVEL_KEPT.has(key)) out[key] = value;
        else dropped.push(`field:${key}`);
    }
  }
  if (!sawMetadata && options.userId !== undefined) out.metadata = { user_id: options.userId };
  if (body.output_format !== undefined) _moveOutputFormat(body.output_format as Json, out, dropped);
  checkHostedTools(out, dropped);

  const slices = options.source && jsonSourceSlices(options.source, body);
  const bytes = slices ? spliceJson(out, slices) : encoder.encode(JSON.stringify(out));
  if (bytes.length > BEDROCK_MAX_BODY_BYTES) {
    throw new RequestTooLargeError(
      BEDROCK_MAX_BODY_BYTES,
      `Request exceeds Bedrock's maximum request size of 25,000,000 bytes (${bytes.length} bytes as sent to Bedrock)`,
    );
  }
  return {
    body: bytes,
    modelId: options.modelId,
    betas,
    toolSearch,
    dropped,
  };
}

function _isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function _requireMaxTokens(value: unknown): void {
  if (value === undefined) throw new InvalidRequestError("max_tokens: Field required");
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new InvalidRequestError("max_tokens: Input should be a positive integer");
  }
}

/** The header's betas, then the body's not among them. */
function _askedBetas(bodyBetas: unknown, headerBetas: readonly string[]): readonly string[] {
  if (bodyBetas === undefined) return headerBetas;
  if (!Array.isArray(bodyBetas) || !bodyBetas.every((b) => typeof b === "string")) {
    throw new InvalidRequestError("anthropic_beta: Input should be a list of strings");
  }
  return [...new Set([...headerBetas, ...bodyBetas as string[]])];
}

/**
 * The betas the family takes; tool search's, by either name, becomes
 * Bedrock's once when forwarded and is dropped otherwise.
 */
function _betas(
  all: readonly string[],
  family: BedrockFamily,
  dropped: string[],
  toolSearch: boolean,
): string[] {
  const kept: string[] = [];
  for (const beta of all) {
    if (TOOL_SEARCH_ASKED_BY.includes(beta)) {
      if (!toolSearch) dropped.push(`beta:${beta}`);
      else if (beta !== TOOL_SEARCH_BETA) dropped.push(`rewrite:beta:${beta}`);
      if (!toolSearch || kept.includes(TOOL_SEARCH_BETA)) continue;
      kept.push(TOOL_SEARCH_BETA);
    } else if (family.betas.has(beta)) kept.push(beta);
    else dropped.push(`beta:${beta}`);
  }
  return kept;
}

function _system(value: unknown, family: BedrockFamily, dropped: string[]): unknown {
  if (typeof value === "string") return value;
  if (!Array.isArray(value)) {
    throw new InvalidRequestError("system: Input should be a string or a list of text blocks");
  }
  return bedrockBlocks(value, "system", family, dropped);
}

function _thinking(
  value: unknown,
  maxTokens: number,
  family: BedrockFamily,
  dropped: string[],
): unknown {
  if (!_isObject(value) || typeof value.type !== "string") {
    throw new InvalidRequestError('thinking: Input should be an object with a "type"');
  }
  const type = value.type;
  if (type === "enabled" && typeof value.budget_tokens !== "number") {
    throw new InvalidRequestError(
      value.budget_tokens === undefined
        ? "thinking.budget_tokens: Field required"
        : "thinking.budget_tokens: Input should be a valid integer",
    );
  }
  if (family.thinking === "none") {
    dropped.push("field:thinking");
    return undefined;
  }
  if (value.display === "updates") {
    // Needs thinking-display-updates-2026-08-18 (Claude Code sends it with stream-json output),
    // which is never forwarded. Left out, Opus 4.7 and later would omit the thinking text (their
    // default): they get "summarized", as Claude Code itself falls back to when refused. Older
    // models summarize by default, and are not sent a field they may not know.
    if (family.thinking === "adaptive") {
      dropped.push("rewrite:thinking.display");
      return _thinking({ ...value, display: "summarized" }, maxTokens, family, dropped);
    }
    const { display: _display, ...rest } = value;
    dropped.push("field:thinking.display");
    return _thinking(rest, maxTokens, family, dropped);
  }
  if (family.thinking === "adaptive" && type === "enabled") {
    dropped.push("rewrite:thinking.type", "field:thinking.budget_tokens");
    const out: Json = { type: "adaptive" };
    for (const key of Object.keys(value)) {
      if (key !== "type" && key !== "budget_tokens") out[key] = value[key];
    }
    return out;
  }
  if (family.thinking === "enabled" && type === "adaptive") {
    dropped.push("rewrite:thinking.type");
    // Without interleaved thinking the budget must stay below max_tokens and at least 1,024.
    if (maxTokens <= 1024) {
      dropped.push("field:thinking");
      return undefined;
    }
    return { type: "enabled", budget_tokens: maxTokens - 1 };
  }
  return value;
}

function _outputConfig(value: unknown, family: BedrockFamily, dropped: string[]): unknown {
  if (!_isObject(value)) throw new InvalidRequestError("output_config: Input should be an object");
  if (family.effort === "keep" || !("effort" in value)) return value;
  dropped.push("field:output_config.effort");
  const out: Json = {};
  for (const key of Object.keys(value)) if (key !== "effort") out[key] = value[key];
  if (Object.keys(out).length > 0) return out;
  dropped.push("field:output_config");
  return undefined;
}

/**
 * The rules for `modelId`; when the id cannot be classified (an application
 * inference profile ARN, a custom model), those of the model the client
 * named: the admin mapped that name to the id, so it is the model behind it
 * (an Opus 4.6 request keeps its `effort` beta, a Sonnet 1M session its
 * `context-1m` beta).
 */
function _familyOf(modelId: string, requested: unknown): BedrockFamily {
  const family = bedrockFamily(modelId);
  if (family !== DEFAULT_BEDROCK_FAMILY || typeof requested !== "string") return family;
  return bedrockFamily(requested);
}

/** Moves the structured-outputs beta's `output_format` to `output_config.format`. */
function _moveOutputFormat(format: Json, out: Json, dropped: string[]): void {
  const config = out.output_config as Json | undefined;
  if (config !== undefined && "format" in config) {
    throw new InvalidRequestError(
      "output_format: give either output_format or output_config.format, not both",
    );
  }
  out.output_config = { ...config, format };
  dropped.push("rewrite:output_format");
}
