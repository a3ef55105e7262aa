import type { Context, Handler } from "hono";
import type { GatewayDeps } from "./app.ts";
import { invokeAdmitted } from "./admitted_upstream.ts";
import { bedrockAnswerHeaders } from "./bedrock_answer_headers.ts";
import type { BedrockAnswerMeta } from "./bedrock_upstream.ts";
import { admitNativeInvocation } from "./prepare_native_invocation.ts";
import { EMPTY_USAGE, readUsage, type TokenUsage } from "./usage.ts";

const decoder = new TextDecoder();

/**
 * `POST /model/{modelId}/invoke`: Bedrock InvokeModel for Bedrock-native
 * clients (Claude Code with `CLAUDE_CODE_USE_BEDROCK=1`, the AWS SDK) with
 * the ccgate token as bearer. The body is sanitised like `/v1/messages`,
 * re-signed by the AWS SDK and sent to Bedrock with the client's invocation
 * headers (service tier, latency, guardrail, trace); Bedrock's answer is
 * returned as it came, with Bedrock's response headers
 * (`bedrockAnswerHeaders`). Errors have Bedrock's shape (`x-amzn-ErrorType`).
 */
export function bedrockInvokeRoute(deps: GatewayDeps): Handler {
  const admit = admitNativeInvocation(deps, false);
  const { bedrock } = deps;

  return async function bedrockInvoke(c: Context) {
    const { modelId, admitted, options, toolSearch } = await admit(c);
    let meta: BedrockAnswerMeta | undefined;
    const answered = (m: BedrockAnswerMeta) => {
      meta = m;
      if (m.serviceTier !== undefined) c.get("record").set({ serviceTier: m.serviceTier });
    };
    let usage: TokenUsage = EMPTY_USAGE;
    const bytes = await invokeAdmitted(bedrock, c, admitted, modelId, (bytes) => {
      usage = _usage(bytes);
      return { usage, value: bytes };
    }, { options, answered, toolSearch });
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      "content-type": "application/json",
      ...bedrockAnswerHeaders(c.get("requestId"), meta, usage),
    });
  };
}

function _usage(bytes: Uint8Array): TokenUsage {
  try {
    return readUsage((JSON.parse(decoder.decode(bytes)) as { usage?: unknown }).usage);
  } catch {
    return { ...EMPTY_USAGE };
  }
}
