import { MalformedUpstreamError } from "./errors.ts";

const decoder = new TextDecoder();

/**
 * Parses a JSON object Bedrock sent (an InvokeModel answer, one stream
 * event); anything else — not UTF-8 JSON, or JSON that is not an object — is
 * Bedrock's fault and throws a {@linkcode MalformedUpstreamError} (502).
 *
 * @param bytes What Bedrock sent.
 * @param what What it should be, for the error: `"a malformed response"`.
 * @returns The object.
 *
 * @example
 * ```ts
 * import { parseBedrockJson } from "./parse_bedrock_json.ts";
 * const event = parseBedrockJson(new TextEncoder().encode('{"type":"ping"}'), "a malformed stream event");
 * console.assert(event.type === "ping");
 * ```
 */
export function parseBedrockJson(bytes: Uint8Array, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch {
    throw new MalformedUpstreamError(what);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new MalformedUpstreamError(what);
  }
  return value as Record<string, unknown>;
}
