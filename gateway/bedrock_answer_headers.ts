import type { TokenUsage } from "./usage.ts";
import type { BedrockAnswerMeta } from "./bedrock_upstream.ts";

/**
 * The response headers Bedrock sends with an invocation's answer, as a
 * Bedrock-native route returns them: `X-Amzn-Bedrock-Service-Tier` and
 * `X-Amzn-Bedrock-PerformanceConfig-Latency` when Bedrock sent them (the AWS
 * SDK reads them into the output's `serviceTier` and
 * `performanceConfigLatency`), and for InvokeModel (`usage` given) the token
 * counts and `X-Amzn-Bedrock-Invocation-Latency` (no SDK reads these; they
 * are there for tools that read Bedrock's headers). `x-amzn-RequestId` is
 * the gateway's request id, as on its errors, so that the SDK's
 * `$metadata.requestId` finds the gateway's log line; Bedrock's own id is in
 * `x-ccgate-bedrock-request-id`. Pure.
 *
 * @param requestId The gateway's request id.
 * @param meta What Bedrock's answer said about itself, if it came.
 * @param usage The answer's token counts (InvokeModel only).
 * @returns Header names (lower-case) and values.
 *
 * @example
 * ```ts
 * import { bedrockAnswerHeaders } from "./bedrock_answer_headers.ts";
 * const h = bedrockAnswerHeaders("req_1", { serviceTier: "flex", latencyMs: 5 });
 * console.assert(h["x-amzn-bedrock-service-tier"] === "flex");
 * ```
 */
export function bedrockAnswerHeaders(
  requestId: string,
  meta: BedrockAnswerMeta | undefined,
  usage?: TokenUsage,
): Record<string, string> {
  const headers: Record<string, string> = { "x-amzn-requestid": requestId };
  if (meta?.requestId !== undefined) headers["x-ccgate-bedrock-request-id"] = meta.requestId;
  if (meta?.serviceTier !== undefined) headers["x-amzn-bedrock-service-tier"] = meta.serviceTier;
  if (meta?.performanceConfigLatency !== undefined) {
    headers["x-amzn-bedrock-performanceconfig-latency"] = meta.performanceConfigLatency;
  }
  if (usage !== undefined) {
    headers["x-amzn-bedrock-input-token-count"] = String(usage.inputTokens);
    headers["x-amzn-bedrock-output-token-count"] = String(usage.outputTokens);
    headers["x-amzn-bedrock-cache-read-input-token-count"] = String(usage.cacheReadInputTokens);
    headers["x-amzn-bedrock-cache-write-input-token-count"] = String(
      usage.cacheCreationInputTokens,
    );
    if (meta !== undefined) headers["x-amzn-bedrock-invocation-latency"] = String(meta.latencyMs);
  }
  return headers;
}
