/**
 * FailoverBedrock's log lines about a request's attempts ("bedrock attempt
 * failed", "bedrock failover") carry the request's id, as its own log line
 * does (`request_id`), on every route that calls Bedrock: over real sockets,
 * in front of the Bedrock emulator, with a region that throttles or cannot
 * be reached before the one that answers.
 */
import { errorScript, textAnswer } from "@ccgate/emulators";
import { assert, assertEquals } from "../testing/assert.ts";
import {
  type GatewayStack,
  postInvoke,
  postMessages,
  startGatewayStack,
} from "../testing/gateway_stack.ts";
import type { LogRecord } from "./log.ts";
import { unreachableRegionFirst } from "../testing/unreachable_region_first.ts";

const MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";

/** us-east-1 then us-west-2, two attempts, no backoff. */
function twoRegions(): Promise<GatewayStack> {
  return startGatewayStack({
    regions: [{ region: "us-west-2" }],
    env: { CCGATE_RETRY_MAX_ATTEMPTS: "2", CCGATE_RETRY_BASE_MS: "0" },
  });
}

/** The log records named `msg`. */
function named(logs: readonly LogRecord[], msg: string): LogRecord[] {
  return logs.filter((r) => r.msg === msg);
}

/** The request id the gateway gave a response, checked to be one. */
function requestIdOf(response: Response): string {
  const id = response.headers.get("request-id");
  assert(id !== null && /^req_[0-9a-f]{24}$/.test(id), `request-id ${id}`);
  return id;
}

Deno.test("FailoverBedrock logs 'bedrock attempt failed' with the request's request_id (/v1/messages)", async () => {
  await using stack = await twoRegions();
  const [east, west] = stack.emulators;
  east!.enqueue(errorScript("ThrottlingException"), errorScript("ThrottlingException"));
  west!.enqueue(textAnswer("first"), textAnswer("second"));
  const ids: string[] = [];
  for (const stream of [false, true]) {
    const response = await postMessages(stack.url, stack.token, { stream });
    assertEquals(response.status, 200);
    await response.text();
    ids.push(requestIdOf(response));
  }
  assert(ids[0] !== ids[1]);
  const failed = named(stack.logs, "bedrock attempt failed");
  assertEquals(failed.map((r) => [r.region, r.request_id]), [
    ["us-east-1", ids[0]],
    ["us-east-1", ids[1]],
  ]);
  // The same id as the request's own log line.
  assertEquals(named(stack.logs, "messages").map((r) => r.request_id), ids);
  assertEquals(
    stack.logLines.filter((l) => l.includes('"bedrock attempt failed"'))
      .map((l) => JSON.parse(l).request_id),
    ids,
    "the production log line has it",
  );
});

Deno.test("FailoverBedrock logs 'bedrock failover' with the request's request_id (/v1/messages)", async () => {
  await using stack = await twoRegions();
  const [east, west] = stack.emulators;
  east!.enqueue(errorScript("ServiceUnavailableException"));
  west!.enqueue(textAnswer("from the west"));
  const response = await postMessages(stack.url, stack.token, { stream: true });
  assertEquals(response.status, 200);
  await response.text();
  const id = requestIdOf(response);
  const failover = named(stack.logs, "bedrock failover");
  assertEquals(failover.map((r) => [r.region, r.attempt, r.request_id]), [["us-west-2", 2, id]]);
  assertEquals(named(stack.logs, "messages")[0]?.request_id, id);
});

Deno.test("FailoverBedrock's attempt lines carry the request_id on /model/{id}/invoke-with-response-stream and /invoke", async () => {
  await using stack = await twoRegions();
  const [east, west] = stack.emulators;
  const ids: string[] = [];
  for (const path of ["invoke-with-response-stream", "invoke"]) {
    east!.enqueue(errorScript("ThrottlingException"));
    west!.enqueue(textAnswer("native"));
    const response = await postInvoke(stack, MODEL, { stream: path !== "invoke" });
    assertEquals(response.status, 200, path);
    await response.arrayBuffer();
    ids.push(requestIdOf(response));
  }
  assertEquals(named(stack.logs, "bedrock attempt failed").map((r) => r.request_id), ids);
  assertEquals(named(stack.logs, "bedrock failover").map((r) => r.request_id), ids);
  assertEquals(
    [
      named(stack.logs, "bedrock_invoke_stream")[0]?.request_id,
      named(stack.logs, "bedrock_invoke")[0]?.request_id,
    ],
    ids,
  );
});

Deno.test("FailoverBedrock's attempt lines carry the request_id on both count-tokens routes", async () => {
  await using stack = await startGatewayStack(unreachableRegionFirst());
  const headers = { authorization: `Bearer ${stack.token}`, "content-type": "application/json" };
  const anthropic = await fetch(`${stack.url}/v1/messages/count_tokens`, {
    method: "POST",
    headers,
    body: JSON.stringify({
      model: "claude-sonnet-4-5-20250929",
      messages: [{ role: "user", content: "Hi" }],
    }),
  });
  assertEquals(anthropic.status, 200, await anthropic.clone().text());
  assertEquals(anthropic.headers.get("x-ccgate-token-count"), "bedrock");
  await anthropic.body?.cancel();
  const counted = new TextEncoder().encode(JSON.stringify({
    anthropic_version: "bedrock-2023-05-31",
    max_tokens: 32,
    messages: [{ role: "user", content: "Hi" }],
  }));
  const native = await fetch(`${stack.url}/model/${encodeURIComponent(MODEL)}/count-tokens`, {
    method: "POST",
    headers,
    body: JSON.stringify({ input: { invokeModel: { body: counted.toBase64() } } }),
  });
  assertEquals(native.status, 200, await native.clone().text());
  await native.body?.cancel();
  const ids = [requestIdOf(anthropic), requestIdOf(native)];
  const failed = named(stack.logs, "bedrock attempt failed");
  assertEquals(failed.map((r) => [r.region, r.request_id]), [
    ["eu-west-1", ids[0]],
    ["eu-west-1", ids[1]],
  ]);
  assertEquals(
    [
      named(stack.logs, "count_tokens")[0]?.request_id,
      named(stack.logs, "bedrock_count_tokens")[0]?.request_id,
    ],
    ids,
  );
});
