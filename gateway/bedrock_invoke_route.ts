import type { Context, Handler } from "hono";
import type { GatewayDeps } from "./app.ts";
import { invokeModel } from "./bedrock_upstream.ts";
import { prepareNativeInvocation } from "./prepare_native_invocation.ts";
import { toUpstreamError } from "./upstream_error.ts";
import { readUsage } from "./usage.ts";

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
  const { bedrock, log, now } = deps;

  return async function bedrockInvoke(c: Context) {
    const started = performance.now();
    const claims = c.get("claims");
    const invocation = await prepare(c);
    const record = (status: number, outcome: string, usage?: unknown) =>
      log({
        level: "info",
        msg: "bedrock_invoke",
        request_id: c.get("requestId"),
        user: claims.sub,
        sid: claims.sid,
        model: invocation.requested,
        bedrock_model: invocation.modelId,
        stream: false,
        status,
        outcome,
        usage,
        latency_ms: Math.round(performance.now() - started),
        at: now().toISOString(),
      });
    let bytes: Uint8Array;
    try {
      bytes = await invokeModel(bedrock, {
        modelId: invocation.modelId,
        body: invocation.body,
        signal: c.req.raw.signal,
      });
    } catch (err) {
      record(0, "upstream_error");
      throw toUpstreamError(err);
    }
    record(200, "completed", _usage(bytes));
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, { "content-type": "application/json" });
  };
}

function _usage(bytes: Uint8Array): unknown {
  try {
    return readUsage((JSON.parse(decoder.decode(bytes)) as { usage?: unknown }).usage);
  } catch {
    return undefined;
  }
}
