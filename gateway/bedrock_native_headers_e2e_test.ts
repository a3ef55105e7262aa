import {
  AccessDeniedException,
  BedrockRuntimeClient,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
  ValidationException,
} from "@aws-sdk/client-bedrock-runtime";
import { FetchHttpHandler } from "@smithy/fetch-http-handler";
import { type BedrockRequestRecord, textAnswer } from "@ccgate/emulators";
import { assert, assertEquals, assertRejects } from "../testing/assert.ts";
import { startGatewayStack } from "../testing/gateway_stack.ts";
import { dayOf } from "./ledger/ledger_entry.ts";
import { listEntries } from "./ledger/usage_query.ts";

const MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const GUARDRAIL = {
  id: "gr7abc",
  versions: ["1", "DRAFT"],
  deniedWords: ["password"],
  blockedInputMessaging: "Blocked by policy.",
};

function body(text: string, extra: Record<string, unknown> = {}): Uint8Array<ArrayBuffer> {
  return encoder.encode(JSON.stringify({
    anthropic_version: "bedrock-2023-05-31",
    max_tokens: 64,
    messages: [{ role: "user", content: text }],
    ...extra,
  }));
}

/** The real AWS SDK with the gateway as its endpoint and the ccgate token as a bearer token. */
function awsSdk(url: string, token: string): BedrockRuntimeClient & Disposable {
  const client = new BedrockRuntimeClient({
    region: "us-east-1",
    endpoint: url,
    token: { token },
    authSchemePreference: ["httpBearerAuth"],
    maxAttempts: 1,
    requestHandler: new FetchHttpHandler(),
  });
  return Object.assign(client, { [Symbol.dispose]: () => client.destroy() });
}

/** Requests that reached the emulator as an invocation. */
function invocations(
  stack: { emulator: { requests: readonly BedrockRequestRecord[] } },
): BedrockRequestRecord[] {
  return stack.emulator.requests.filter((r) => r.operation !== null);
}

Deno.test("/invoke passes the service tier and latency headers to Bedrock and Bedrock's answer headers back to the AWS SDK", async () => {
  await using stack = await startGatewayStack();
  stack.emulator.enqueue(textAnswer("Hi.", { usage: { input_tokens: 11, output_tokens: 3 } }));
  using client = awsSdk(stack.url, stack.token);
  const out = await client.send(
    new InvokeModelCommand({
      modelId: MODEL,
      body: body("Say hi"),
      serviceTier: "flex",
      performanceConfigLatency: "optimized",
    }),
  );
  const [sent] = invocations(stack);
  assertEquals(sent!.headers["x-amzn-bedrock-service-tier"], "flex");
  assertEquals(sent!.headers["x-amzn-bedrock-performanceconfig-latency"], "optimized");
  assert(sent!.signed, "re-signed with SigV4");
  assertEquals(out.serviceTier, "flex");
  assertEquals(out.performanceConfigLatency, "optimized");
  assert(out.$metadata.requestId?.startsWith("req_"), `requestId ${out.$metadata.requestId}`);

  // The raw answer carries Bedrock's token-count headers too.
  stack.emulator.enqueue(textAnswer("Hi.", { usage: { input_tokens: 11, output_tokens: 3 } }));
  const res = await fetch(`${stack.url}/model/${encodeURIComponent(MODEL)}/invoke`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${stack.token}`,
      "content-type": "application/json",
      "x-amzn-bedrock-service-tier": "priority",
    },
    body: body("Say hi"),
  });
  assertEquals(res.status, 200);
  await res.arrayBuffer();
  assertEquals(res.headers.get("x-amzn-bedrock-service-tier"), "priority");
  assertEquals(res.headers.get("x-amzn-bedrock-input-token-count"), "11");
  assertEquals(res.headers.get("x-amzn-bedrock-output-token-count"), "3");
  assert(/^\d+$/.test(res.headers.get("x-amzn-bedrock-invocation-latency") ?? ""));
  assertEquals(res.headers.get("x-amzn-requestid"), res.headers.get("request-id"));
  const upstreamId = res.headers.get("x-ccgate-bedrock-request-id");
  assert(upstreamId !== null && upstreamId.length > 0, "Bedrock's own request id is kept");
  assert(upstreamId !== res.headers.get("request-id"));
  assertEquals(invocations(stack).length, 2);

  await stack.ledger.flush();
  const today = dayOf(new Date());
  const { entries } = await listEntries(stack.kv, { from: today, to: today });
  assertEquals(entries.map((e) => e.serviceTier).sort(), ["flex", "priority"]);
});

Deno.test("/invoke-with-response-stream passes the tier to Bedrock and the served tier back to the AWS SDK", async () => {
  await using stack = await startGatewayStack();
  stack.emulator.enqueue(textAnswer("Streamed."));
  using client = awsSdk(stack.url, stack.token);
  const out = await client.send(
    new InvokeModelWithResponseStreamCommand({
      modelId: MODEL,
      body: body("Say hi"),
      serviceTier: "priority",
      trace: "DISABLED",
    }),
  );
  let text = "";
  for await (const event of out.body!) {
    const e = JSON.parse(decoder.decode(event.chunk!.bytes!));
    if (e.type === "content_block_delta") text += e.delta.text;
  }
  assertEquals(text, "Streamed.");
  assertEquals(out.serviceTier, "priority");
  const [sent] = invocations(stack);
  assertEquals(
    sent!.headers["x-amzn-bedrock-service-tier"],
    "priority",
  );
  assertEquals(
    sent!.headers["x-amzn-bedrock-trace"],
    "DISABLED",
  );
  await stack.ledger.flush();
  const today = dayOf(new Date());
  const { entries } = await listEntries(stack.kv, { from: today, to: today });
  assertEquals(entries.map((e) => [e.route, e.serviceTier]), [[
    "bedrock_invoke_stream",
    "priority",
  ]]);
});

Deno.test("the Bedrock-native routes refuse bad invocation headers with Bedrock's ValidationException before calling Bedrock", async () => {
  await using stack = await startGatewayStack();
  using client = awsSdk(stack.url, stack.token);
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ serviceTier: "fast" }, /Value 'fast' at 'serviceTier' failed to satisfy constraint/],
    [{ performanceConfigLatency: "Optimized" }, /at 'performanceConfigLatency'/],
    [{ trace: "enabled" }, /at 'trace'/],
    [{ guardrailIdentifier: "Bad_Id", guardrailVersion: "1" }, /at 'guardrailIdentifier'/],
    [{ guardrailIdentifier: "gr7abc", guardrailVersion: "v2" }, /at 'guardrailVersion'/],
    [{ guardrailIdentifier: "gr7abc" }, /Guardrail version is required/],
    [{ guardrailVersion: "1" }, /Guardrail identifier is required/],
  ];
  for (const [input, message] of cases) {
    for (const stream of [false, true]) {
      const command = { modelId: MODEL, body: body("hi"), ...input };
      const err = await assertRejects(
        () =>
          stream
            ? client.send(new InvokeModelWithResponseStreamCommand(command))
            : client.send(new InvokeModelCommand(command)),
        ValidationException,
      );
      assert(message.test(err.message), `${JSON.stringify(input)}: ${err.message}`);
      assertEquals(err.$metadata.httpStatusCode, 400);
    }
  }
  // The guardrail configuration in the body needs a guardrail.
  await assertRejects(
    () =>
      client.send(
        new InvokeModelCommand({
          modelId: MODEL,
          body: body("hi", { "amazon-bedrock-guardrailConfig": { tagSuffix: "x1" } }),
        }),
      ),
    ValidationException,
    "no guardrail identifier",
  );
  assertEquals(invocations(stack).length, 0, "Bedrock was never called");
});

Deno.test("a guardrail the client names is applied by Bedrock (blocked input, trace) and its body configuration kept", async () => {
  await using stack = await startGatewayStack({ emulator: { guardrails: [GUARDRAIL] } });
  using client = awsSdk(stack.url, stack.token);
  const blocked = await client.send(
    new InvokeModelCommand({
      modelId: MODEL,
      body: body("what is the admin password?", {
        "amazon-bedrock-guardrailConfig": { tagSuffix: "t9", streamProcessingMode: "sync" },
      }),
      guardrailIdentifier: "arn:aws:bedrock:us-east-1:123456789012:guardrail/gr7abc",
      guardrailVersion: "1",
      trace: "ENABLED",
    }),
  );
  const answer = JSON.parse(decoder.decode(blocked.body));
  assertEquals(answer.content, [{ type: "text", text: "Blocked by policy." }]);
  assertEquals(answer["amazon-bedrock-guardrailAction"], "INTERVENED");
  assertEquals(
    answer["amazon-bedrock-trace"].guardrail.input.gr7abc.wordPolicy.customWords[0].match,
    "password",
  );
  const [sent] = invocations(stack);
  assertEquals(
    sent!.headers["x-amzn-bedrock-guardrailidentifier"],
    "arn:aws:bedrock:us-east-1:123456789012:guardrail/gr7abc",
  );
  assertEquals(sent!.headers["x-amzn-bedrock-guardrailversion"], "1");
  assertEquals(
    (sent!.json as Record<string, unknown>)["amazon-bedrock-guardrailConfig"],
    { tagSuffix: "t9", streamProcessingMode: "sync" },
  );

  // A stream under the same guardrail: allowed input, the action on the last chunk.
  stack.emulator.enqueue(textAnswer("Fine."));
  const out = await client.send(
    new InvokeModelWithResponseStreamCommand({
      modelId: MODEL,
      body: body("hello"),
      guardrailIdentifier: "gr7abc",
      guardrailVersion: "DRAFT",
    }),
  );
  const events: Record<string, unknown>[] = [];
  for await (const event of out.body!) events.push(JSON.parse(decoder.decode(event.chunk!.bytes!)));
  assertEquals(events.at(-1)!["amazon-bedrock-guardrailAction"], "NONE");

  // A guardrail Bedrock does not have is Bedrock's refusal, never an unguarded answer.
  await assertRejects(
    () =>
      client.send(
        new InvokeModelCommand({
          modelId: MODEL,
          body: body("hello"),
          guardrailIdentifier: "gr7abc",
          guardrailVersion: "2",
        }),
      ),
    ValidationException,
    "guardrail identifier or version provided in the request does not exist",
  );
});

Deno.test("/model/{id}/count-tokens ignores invocation headers and a guardrail configuration in the counted body", async () => {
  await using stack = await startGatewayStack();
  const counted = body("hi", { "amazon-bedrock-guardrailConfig": { tagSuffix: "x" } });
  const res = await fetch(`${stack.url}/model/${encodeURIComponent(MODEL)}/count-tokens`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${stack.token}`,
      "content-type": "application/json",
      "x-amzn-bedrock-service-tier": "not-a-tier",
    },
    body: JSON.stringify({ input: { invokeModel: { body: counted.toBase64() } } }),
  });
  assertEquals(res.status, 200, await res.clone().text());
  assert(typeof (await res.json()).inputTokens === "number");
});

Deno.test("CCGATE_BEDROCK_SERVICE_TIERS refuses other tiers with AccessDeniedException before calling Bedrock", async () => {
  await using stack = await startGatewayStack({ env: { CCGATE_BEDROCK_SERVICE_TIERS: "flex" } });
  using client = awsSdk(stack.url, stack.token);
  const err = await assertRejects(
    () =>
      client.send(
        new InvokeModelCommand({ modelId: MODEL, body: body("hi"), serviceTier: "priority" }),
      ),
    AccessDeniedException,
  );
  assertEquals(err.$metadata.httpStatusCode, 403);
  assertEquals(
    err.message,
    'The service tier "priority" is not allowed on this gateway; allowed: default, flex',
  );
  assertEquals(invocations(stack).length, 0);
  for (const serviceTier of ["flex", "default"] as const) {
    stack.emulator.enqueue(textAnswer("ok"));
    const out = await client.send(
      new InvokeModelCommand({ modelId: MODEL, body: body("hi"), serviceTier }),
    );
    assertEquals(out.serviceTier, serviceTier);
  }
  await stack.ledger.flush();
  const today = dayOf(new Date());
  const { entries } = await listEntries(stack.kv, { from: today, to: today });
  const refused = entries.find((e) => e.outcome === "rejected");
  assertEquals([refused?.serviceTier, refused?.status], ["priority", 403]);
});
