import { countInputTokens } from "./count_input_tokens.ts";
import { validateInvokeBody } from "./validate_invoke_body.ts";

/** Cross-region inference profile ids: CountTokens refuses them. */
const PROFILE_PREFIX = /^(?:us|eu|apac|jp|au|ca|us-gov|global)\./;

/**
 * CountTokens as Bedrock answers it: foundation model ids only (a
 * cross-region profile id is an invalid model), models without token
 * counting refused, the `invokeModel` body (base64 of an InvokeModel body)
 * validated like InvokeModel's.
 */
export function countTokensAnswer(
  modelId: string,
  json: unknown,
  options: {
    allowedKeys: readonly string[];
    allowedBetas: readonly string[];
    unsupported: (modelId: string) => boolean;
  },
): { inputTokens: number } | { exception: string } {
  if (PROFILE_PREFIX.test(modelId)) {
    return { exception: "The provided model identifier is invalid." };
  }
  if (options.unsupported(modelId)) {
    return { exception: "The provided model doesn't support counting tokens." };
  }
  const input = (json as { input?: { invokeModel?: { body?: unknown } } } | undefined)?.input;
  const encoded = input?.invokeModel?.body;
  if (typeof encoded !== "string") {
    return {
      exception:
        "1 validation error detected: Value null at 'input' failed to satisfy constraint: Member must not be null",
    };
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.fromBase64(encoded));
  } catch {
    return {
      exception:
        "Malformed input request: #: expected type: JSONObject, found: invalid JSON, please reformat your input and try again.",
    };
  }
  const validation = validateInvokeBody(text, options);
  if (!validation.ok) return { exception: validation.message };
  return { inputTokens: countInputTokens(validation.body) };
}
