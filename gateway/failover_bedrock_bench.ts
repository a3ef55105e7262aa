/**
 * What the resilience layer adds per request and per frame:
 * `deno bench --allow-read gateway/failover_bedrock_bench.ts`.
 * The SDK client is replaced by an in-memory one so only our code is timed.
 */
import { InvokeModelWithResponseStreamCommand } from "@aws-sdk/client-bedrock-runtime";
import type { BedrockClient } from "./bedrock_upstream.ts";
import { CircuitBreaker } from "./circuit_breaker.ts";
import { FailoverBedrock } from "./failover_bedrock.ts";
import { GatewayLifecycle } from "./gateway_lifecycle.ts";
import { jsonDepth } from "./json_depth.ts";
import { checkRequestLimits } from "./check_request_limits.ts";
import { systemTimers } from "./timers.ts";

const FRAMES = 64;
const event = { chunk: { bytes: new TextEncoder().encode('{"type":"ping"}') } };

async function* events() {
  for (let i = 0; i < FRAMES; i++) yield event;
}

const memory = {
  send: () => Promise.resolve({ $metadata: {}, body: events() }),
} as unknown as BedrockClient;

const failover = new FailoverBedrock({
  regions: [{ region: "us-east-1", client: memory }],
  maxAttempts: 3,
  backoff: { baseMs: 100, maxMs: 2_000 },
  timeouts: { firstByteMs: 120_000, idleMs: 300_000, totalMs: 1_800_000 },
  breaker: new CircuitBreaker({ failureThreshold: 5, cooldownMs: 30_000, now: systemTimers.now }),
  timers: systemTimers,
  lifecycle: new GatewayLifecycle({ maxConcurrent: 10_000, timers: systemTimers }),
});

const command = () =>
  new InvokeModelWithResponseStreamCommand({
    modelId: "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
    body: new Uint8Array(),
  });

async function drain(client: BedrockClient) {
  const out = await client.send(command(), { abortSignal: new AbortController().signal });
  for await (const _ of out.body!) { /* consume */ }
}

Deno.bench(
  "stream of 64 events, SDK client directly",
  { group: "stream", baseline: true },
  async () => {
    await drain(memory);
  },
);
Deno.bench(
  "stream of 64 events, through FailoverBedrock",
  { group: "stream" },
  async () => {
    await drain(failover);
  },
);

const recorded = JSON.parse(
  await Deno.readTextFile(
    new URL("./testdata/claude_code_2.1.197_messages_request.json", import.meta.url),
  ),
);
const body = recorded.body ?? recorded;
const LIMITS = { maxMessages: 10_000, maxTools: 1_000, maxSystemBlocks: 1_000 };
Deno.bench(
  `jsonDepth() + checkRequestLimits() on a recorded Claude Code request (${
    JSON.stringify(body).length
  } bytes)`,
  () => {
    jsonDepth(body, 64);
    checkRequestLimits(body, LIMITS);
  },
);
