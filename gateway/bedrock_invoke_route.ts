import type { Context, Handler } from "hono";
import type { GatewayDeps } from "./app.ts";
import { invokeAdmitted } from "./admitted_upstream.ts";
import { prepareNativeInvocation } from "./prepare_native_invocation.ts";
import { admitRequest } from "./policy/admit_request.ts";
import { EMPTY_USAGE, readUsage, type TokenUsage } from "./usage.ts";

const decoder = new TextDecoder();

/**
 * `POST /model/{modelId}/invoke`: Bedrock InvokeModel for Bedrock-native
 * clients (Claude Code with `CLAUDE_CODE_USE_BEDROCK=1`, the AWS SDK) with
 * the ccgate token as bearer. The body is sanitised like `/v1/messages`,
 * re-signed by the AWS SDK and sent to Bedrock; Bedrock's answer is
 * returned as it came. Errors have Bedrock's shape (`x-amzn-ErrorType`).
 */
export function bedrockInvokeRoute(deps: GatewayDeps): Handler {
  const prepare = prepareNativeInvocation(deps);
  const { bedrock } = deps;

  return async function bedrockInvoke(c: Context) {
    const record = c.get("record");
    const invocation = await prepare(c);
    const admitted = await admitRequest(deps, c, invocation);
    record.set({ model: invocation.requested, bedrockModel: invocation.modelId, stream: false });
    const bytes = await invokeAdmitted(bedrock, c, admitted, invocation.modelId, (bytes) => ({
      usage: _usage(bytes),
      value: bytes,
    }));
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, { "content-type": "application/json" });
  };
}

function _usage(bytes: Uint8Array): TokenUsage {
  try {
    return readUsage((JSON.parse(decoder.decode(bytes)) as { usage?: unknown }).usage);
  } catch {
    return { ...EMPTY_USAGE };
  }
}
