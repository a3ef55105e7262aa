/**
 * What Bedrock says when it refuses tool search for a model, in its own
 * words and those Claude Code 2.1.332 watches for (its binary): a
 * ValidationException naming `defer_loading` (`tools.3.custom.defer_loading:
 * Extra inputs are not permitted`), `tool_reference` (`Input tag
 * 'tool_reference' found using 'type' does not match any of the expected
 * tags`, `Tool reference not found in available tools`), the beta or a tool
 * search tool (`Unexpected value(s) `tool-search-tool-2025-10-19` for the
 * `anthropic-beta` header`, `tool_search_tool_regex_20251119`), or Bedrock's
 * generic `invalid beta flag` (anthropics/claude-code#49370: it names no
 * beta; a request whose other betas were the cause fails again without tool
 * search, and that second refusal is relayed).
 */
const REFUSAL =
  /defer_loading|tool_reference|tool reference not found|tool[-_]search|invalid beta flag/i;

/**
 * Whether a failed Bedrock call is Bedrock refusing tool search: a
 * ValidationException (HTTP 400) whose message names it (see `REFUSAL`).
 * Ask only of a call that forwarded tool search.
 *
 * @param err What the Bedrock call threw (the AWS SDK's exception).
 * @returns `true` when the call is worth sending again without tool search.
 *
 * @example
 * ```ts
 * import { isToolSearchRefusal } from "./tool_search_refusal.ts";
 * const err = Object.assign(new Error("invalid beta flag"), { name: "ValidationException" });
 * console.assert(isToolSearchRefusal(err));
 * console.assert(!isToolSearchRefusal(Object.assign(new Error("Prompt is too long"), { name: "ValidationException" })));
 * ```
 */
export function isToolSearchRefusal(err: unknown): boolean {
  return isValidationException(err) && REFUSAL.test((err as Error).message);
}

/**
 * Whether a failed Bedrock call is a ValidationException (HTTP 400: Bedrock refused the request).
 *
 * @param err What the Bedrock call threw.
 * @returns `true` for a ValidationException.
 */
export function isValidationException(err: unknown): boolean {
  return err instanceof Error && err.name === "ValidationException";
}

/**
 * Whom a tool search refusal concerns: `"request"` when it is about this
 * request's own content (a `tool_reference` naming a tool the request does
 * not declare: "Tool reference not found in available tools", which says
 * nothing of the model), `"model"` otherwise (the model takes no tool search:
 * remembered for it).
 */
export type RefusalScope = "request" | "model";

/**
 * Whom a tool search refusal ({@linkcode isToolSearchRefusal}) concerns.
 *
 * @param err The refusal.
 * @returns `"request"` for a tool_reference to an undeclared tool, else `"model"`.
 *
 * @example
 * ```ts
 * import { refusalScope } from "./tool_search_refusal.ts";
 * const err = Object.assign(new Error("Tool reference not found in available tools"), {
 *   name: "ValidationException",
 * });
 * console.assert(refusalScope(err) === "request");
 * ```
 */
export function refusalScope(err: unknown): RefusalScope {
  return /tool reference not found/i.test((err as Error).message) ? "request" : "model";
}
