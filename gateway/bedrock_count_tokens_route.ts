import type { Context, Handler } from "hono";
import type { GatewayDeps } from "./app.ts";
import { countTokens } from "./bedrock_upstream.ts";
import { InvalidRequestError } from "./errors.ts";
import { prepareNativeInvocation } from "./prepare_native_invocation.ts";
import { readRequestJson } from "./read_request_json.ts";
import { toUpstreamError } from "./upstream_error.ts";

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * `POST /model/{modelId}/count-tokens`: Bedrock CountTokens for
 * Bedrock-native clients. Accepts the `invokeModel` input (a base64
 * InvokeModel body), sanitises that body like `/invoke`, and answers
 * Bedrock's `{"inputTokens": n}`. Bedrock's own refusals (a model without
 * token counting) are passed through unchanged, as Bedrock would answer.
 */
export function bedrockCountTokensRoute(deps: GatewayDeps): Handler {
  const prepare = prepareNativeInvocation(deps);
  const { bedrock, config, log } = deps;

  return async function bedrockCountTokens(c: Context) {
    const { value } = await readRequestJson(c, config);
    const input = value.input as { invokeModel?: { body?: unknown } } | undefined;
    const encoded = input?.invokeModel?.body;
    if (typeof encoded !== "string") {
      throw new InvalidRequestError(
        "input.invokeModel.body: Field required (ccgate counts InvokeModel bodies only)",
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(decoder.decode(Uint8Array.fromBase64(encoded)));
    } catch {
      throw new InvalidRequestError(
        "input.invokeModel.body: Input should be base64 of a JSON object",
      );
    }
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      throw new InvalidRequestError(
        "input.invokeModel.body: Input should be base64 of a JSON object",
      );
    }
    const invocation = await prepare(c, body as Record<string, unknown>);
    deps.policy?.checkModel(c.get("claims"), invocation.modelId, invocation.requested);
    let inputTokens: number;
    try {
      inputTokens = await countTokens(bedrock, {
        modelId: invocation.modelId,
        body: invocation.body,
        signal: c.req.raw.signal,
        requestId: c.get("requestId"),
      });
    } catch (err) {
      throw toUpstreamError(err);
    }
    log({
      level: "info",
      msg: "bedrock_count_tokens",
      request_id: c.get("requestId"),
      user: c.get("claims").sub,
      bedrock_model: invocation.modelId,
    });
    return c.json({ inputTokens });
  };
}
