import { BEDROCK_ANTHROPIC_VERSION } from "./defaults.ts";

/** Options of {@linkcode validateInvokeBody}. */
export interface ValidateInvokeBodyOptions {
  /** Top-level keys allowed in the body. */
  allowedKeys: readonly string[];
  /** `anthropic_beta` flags allowed. */
  allowedBetas: readonly string[];
  /**
   * Whether the model takes tool search: `false` refuses its beta with
   * Bedrock's `invalid beta flag`, as Bedrock was reported to for some models.
   * @default {true}
   */
  toolSearch?: boolean;
}

/** Result of {@linkcode validateInvokeBody}: the parsed body, or Bedrock's ValidationException message. */
export type InvokeBodyValidation =
  | { ok: true; body: Record<string, unknown> }
  | { ok: false; message: string };

const REQUIRED = ["anthropic_version", "max_tokens", "messages"] as const;

/**
 * Validates an `InvokeModel` body for an Anthropic Claude model the way
 * Bedrock does, with Bedrock's wording: JSON schema violations are collected
 * into one `Malformed input request: #: ..., please reformat your input and
 * try again.` message; unknown beta flags give `invalid beta flag`. Pure.
 *
 * @param text The raw request body.
 * @param options Allowed keys and beta flags.
 * @returns The parsed body, or the message of a ValidationException.
 *
 * @example
 * ```ts
 * import { validateInvokeBody } from "./validate_invoke_body.ts";
 * const result = validateInvokeBody(
 *   '{"anthropic_version":"bedrock-2023-05-31","max_tokens":1,"messages":[],"model":"x"}',
 *   { allowedKeys: ["anthropic_version", "max_tokens", "messages"], allowedBetas: [] },
 * );
 * if (result.ok || !result.message.includes("extraneous key [model] is not permitted")) {
 *   throw new Error("unexpected");
 * }
 * ```
 */
export function validateInvokeBody(
  text: string,
  options: ValidateInvokeBodyOptions,
): InvokeBodyValidation {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, message: malformed(["#: expected type: JSONObject, found: invalid JSON"]) };
  }
  return validateInvokeJson(parsed, options);
}

/**
 * {@linkcode validateInvokeBody} for a body already parsed, so that a caller
 * holding the parsed value does not parse the text a second time. Pure.
 *
 * @param parsed The parsed request body.
 * @param options Allowed keys and beta flags.
 * @returns The body, or the message of a ValidationException.
 *
 * @example
 * ```ts
 * import { validateInvokeJson } from "./validate_invoke_body.ts";
 * const result = validateInvokeJson([], { allowedKeys: [], allowedBetas: [] });
 * if (result.ok || !result.message.includes("found: JSONArray")) throw new Error("unexpected");
 * ```
 */
export function validateInvokeJson(
  parsed: unknown,
  options: ValidateInvokeBodyOptions,
): InvokeBodyValidation {
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return {
      ok: false,
      message: malformed([`#: expected type: JSONObject, found: ${kind(parsed)}`]),
    };
  }
  const body = parsed as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of REQUIRED) {
    if (!(key in body)) problems.push(`#: required key [${key}] not found`);
  }
  for (const key of Object.keys(body)) {
    if (!options.allowedKeys.includes(key)) {
      problems.push(`#: extraneous key [${key}] is not permitted`);
    }
  }
  if ("anthropic_version" in body && body.anthropic_version !== BEDROCK_ANTHROPIC_VERSION) {
    problems.push(
      typeof body.anthropic_version === "string"
        ? `#/anthropic_version: ${body.anthropic_version} is not a valid enum value`
        : `#/anthropic_version: expected type: String, found: ${kind(body.anthropic_version)}`,
    );
  }
  if ("max_tokens" in body && !Number.isInteger(body.max_tokens)) {
    problems.push(`#/max_tokens: expected type: Integer, found: ${kind(body.max_tokens)}`);
  } else if ("max_tokens" in body && (body.max_tokens as number) < 1) {
    problems.push(`#/max_tokens: ${body.max_tokens} is not greater or equal to 1`);
  }
  if ("messages" in body && !Array.isArray(body.messages)) {
    problems.push(`#/messages: expected type: JSONArray, found: ${kind(body.messages)}`);
  }
  if ("anthropic_beta" in body && !Array.isArray(body.anthropic_beta)) {
    problems.push(
      `#/anthropic_beta: expected type: JSONArray, found: ${kind(body.anthropic_beta)}`,
    );
  }
  if (problems.length > 0) return { ok: false, message: malformed(problems) };
  if ((body.messages as unknown[]).length === 0) {
    return { ok: false, message: "messages: at least one message is required" };
  }

  const betas = (body.anthropic_beta ?? []) as unknown[];
  if (betas.some((b) => typeof b !== "string" || !options.allowedBetas.includes(b))) {
    return { ok: false, message: "invalid beta flag" };
  }
  const toolSearch = betas.includes(TOOL_SEARCH_BETA);
  if (toolSearch && options.toolSearch === false) {
    return { ok: false, message: "invalid beta flag" };
  }
  // Tool search's tool fields and tools need its beta.
  const tool = toolSearch ? undefined : _toolSearchTool(body.tools);
  if (tool !== undefined) return { ok: false, message: tool };
  // A tool_result naming tools found by tool search (Claude Code's ToolSearch tool answers so)
  // needs the tool search beta (anthropics/claude-code#25212), and with it a tool it declares.
  const references = _toolReferences(body.messages);
  if (references.length > 0) {
    const declared = new Set(
      Array.isArray(body.tools) ? body.tools.map((t: { name?: unknown }) => t?.name) : [],
    );
    if (!toolSearch || references.some((name) => !declared.has(name))) {
      return { ok: false, message: "Tool reference not found in available tools" };
    }
  }
  // Context editing is a beta on Bedrock: the field alone is an unknown input.
  if ("context_management" in body && !betas.includes(CONTEXT_MANAGEMENT_BETA)) {
    return { ok: false, message: "context_management: Extra inputs are not permitted" };
  }
  return { ok: true, body };
}

/** The beta without which Bedrock refuses `context_management`. */
const CONTEXT_MANAGEMENT_BETA = "context-management-2025-06-27";

/** The beta without which Bedrock refuses `tool_reference` blocks. */
const TOOL_SEARCH_BETA = "tool-search-tool-2025-10-19";

/**
 * Bedrock's refusal of the first tool that needs tool search (`defer_loading`,
 * a tool_search_tool_* type) in a body without its beta, if any.
 */
function _toolSearchTool(tools: unknown): string | undefined {
  if (!Array.isArray(tools)) return undefined;
  for (let i = 0; i < tools.length; i++) {
    const tool = tools[i] as { type?: unknown } | null;
    if (tool === null || typeof tool !== "object") continue;
    if ("defer_loading" in tool) {
      return `tools.${i}.custom.defer_loading: Extra inputs are not permitted`;
    }
    if (typeof tool.type === "string" && tool.type.startsWith("tool_search_tool_")) {
      return `tools.${i}: Input tag '${tool.type}' found using 'type' does not match any of the expected tags`;
    }
  }
  return undefined;
}

/** The tool names of the `tool_reference` blocks in any message's `tool_result` contents. */
function _toolReferences(messages: unknown): unknown[] {
  if (!Array.isArray(messages)) return [];
  return messages.flatMap((m) =>
    Array.isArray(m?.content)
      ? m.content.flatMap((b: { type?: unknown; content?: unknown }) =>
        b?.type === "tool_result" && Array.isArray(b.content)
          ? b.content.filter((c: { type?: unknown }) => c?.type === "tool_reference").map((
            c: { tool_name?: unknown },
          ) => c.tool_name)
          : []
      )
      : []
  );
}

function malformed(problems: string[]): string {
  return `Malformed input request: ${problems.join("")}, please reformat your input and try again.`;
}

function kind(value: unknown): string {
  if (value === null) return "Null";
  if (Array.isArray(value)) return "JSONArray";
  switch (typeof value) {
    case "string":
      return "String";
    case "number":
      return Number.isInteger(value) ? "Integer" : "BigDecimal";
    case "boolean":
      return "Boolean";
    case "object":
      return "JSONObject";
    default:
      return typeof value;
  }
}
