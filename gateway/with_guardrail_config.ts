import { GUARDRAIL_CONFIG_FIELD } from "./bedrock_invoke_options.ts";
import { InvalidRequestError } from "./errors.ts";

const encoder = new TextEncoder();

/**
 * An InvokeModel body with the client's `amazon-bedrock-guardrailConfig`
 * (`tagSuffix`, `streamProcessingMode`) put back: the sanitiser
 * (`toBedrockRequest`) drops every field outside the Messages API, but this
 * one configures the guardrail the client named in its headers, and without
 * it Bedrock would not see the client's input tags or stream mode. The field
 * is inserted first, in front of the sanitised body's bytes, without
 * re-encoding the rest. Bedrock checks its members. Pure.
 *
 * @param body The sanitised body (a JSON object, UTF-8).
 * @param config The client's `amazon-bedrock-guardrailConfig`.
 * @returns The body with the field.
 * @throws {InvalidRequestError} When the value is not a JSON object (Bedrock's schema wording).
 *
 * @example
 * ```ts
 * import { withGuardrailConfig } from "./with_guardrail_config.ts";
 * const out = withGuardrailConfig(new TextEncoder().encode('{"a":1}'), { tagSuffix: "x" });
 * console.assert(new TextDecoder().decode(out) === '{"amazon-bedrock-guardrailConfig":{"tagSuffix":"x"},"a":1}');
 * ```
 */
export function withGuardrailConfig(body: Uint8Array, config: unknown): Uint8Array {
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    throw new InvalidRequestError(
      `Malformed input request: #/${GUARDRAIL_CONFIG_FIELD}: expected type: JSONObject, please reformat your input and try again.`,
    );
  }
  const empty = body.byteLength <= 2 || _onlySpace(body.subarray(1, body.byteLength - 1));
  const head = encoder.encode(
    `{${JSON.stringify(GUARDRAIL_CONFIG_FIELD)}:${JSON.stringify(config)}${empty ? "" : ","}`,
  );
  if (empty) return Uint8Array.of(...head, 0x7d);
  const out = new Uint8Array(head.byteLength + body.byteLength - 1);
  out.set(head, 0);
  out.set(body.subarray(1), head.byteLength);
  return out;
}

function _onlySpace(bytes: Uint8Array): boolean {
  return bytes.every((b) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09);
}
