import { assertEquals } from "../testing/assert.ts";
import { bedrockAnswerHeaders } from "./bedrock_answer_headers.ts";

Deno.test("bedrockAnswerHeaders() gives InvokeModel's token counts, latency and the tier Bedrock served", () => {
  assertEquals(
    bedrockAnswerHeaders("req_1", {
      serviceTier: "flex",
      performanceConfigLatency: "optimized",
      requestId: "aws-1",
      latencyMs: 42,
    }, {
      inputTokens: 10,
      outputTokens: 5,
      cacheReadInputTokens: 3,
      cacheCreationInputTokens: 2,
    }),
    {
      "x-amzn-requestid": "req_1",
      "x-ccgate-bedrock-request-id": "aws-1",
      "x-amzn-bedrock-service-tier": "flex",
      "x-amzn-bedrock-performanceconfig-latency": "optimized",
      "x-amzn-bedrock-input-token-count": "10",
      "x-amzn-bedrock-output-token-count": "5",
      "x-amzn-bedrock-cache-read-input-token-count": "3",
      "x-amzn-bedrock-cache-write-input-token-count": "2",
      "x-amzn-bedrock-invocation-latency": "42",
    },
  );
});

Deno.test("bedrockAnswerHeaders() gives only the request id when Bedrock said nothing (a stream)", () => {
  assertEquals(bedrockAnswerHeaders("req_2", { latencyMs: 1 }), { "x-amzn-requestid": "req_2" });
  assertEquals(bedrockAnswerHeaders("req_3", undefined), { "x-amzn-requestid": "req_3" });
});
