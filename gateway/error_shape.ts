/** The error body shapes the gateway speaks. */
export type ErrorShape = "anthropic" | "openai" | "bedrock";

const OPENAI = /^\/v1\/chat\/completions\/?$/;
const BEDROCK = /^\/(?:model\/|inference-profiles\/?$)/;

/**
 * Which error shape a path's clients expect: OpenAI's for
 * `/v1/chat/completions`, Bedrock's for the Bedrock-native routes
 * (`/model/...`, `/inference-profiles`), Anthropic's everywhere else. Decided
 * by path so that errors raised before the route runs (size limits, load
 * shedding, authentication, unknown routes) have the right shape too.
 *
 * @param path The request path.
 * @returns The shape.
 *
 * @example
 * ```ts
 * import { errorShapeOf } from "./error_shape.ts";
 * console.assert(errorShapeOf("/model/x/invoke") === "bedrock");
 * console.assert(errorShapeOf("/v1/messages") === "anthropic");
 * ```
 */
export function errorShapeOf(path: string): ErrorShape {
  if (OPENAI.test(path)) return "openai";
  if (BEDROCK.test(path)) return "bedrock";
  return "anthropic";
}
