import type { Context, Handler } from "hono";
import type { GatewayDeps } from "./app.ts";
import { invokeAdmitted } from "./admitted_upstream.ts";
import { admitNativeInvocation } from "./prepare_native_invocation.ts";
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
  const admit = admitNativeInvocation(deps, false);
  const { bedrock } = deps;

  return async function bedrockInvoke(c: Context) {
    const { modelId, admitted } = await admit(c);
    const bytes = await invokeAdmitted(bedrock, c, admitted, modelId, (bytes) => ({
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
