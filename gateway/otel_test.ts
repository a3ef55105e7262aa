import { assert, assertEquals } from "../testing/assert.ts";
import { startOtlpReceiver } from "../testing/otlp_receiver.ts";

const CHILD = new URL("../testing/otel_stack_child.ts", import.meta.url).pathname;
const PROMPT = "OTEL-PROMPT-CANARY-91c2 tell me a secret";

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: { key: string; value: Record<string, unknown> }[];
}

Deno.test("Deno's built-in OpenTelemetry exports verify, policy, request, Bedrock call and stream spans, without token or prompt", async () => {
  await using receiver = startOtlpReceiver();
  const { payloads } = receiver;
  const policy = `models:
  claude-sonnet-4-5-20250929:
    bedrock: us.anthropic.claude-sonnet-4-5-20250929-v1:0
    price: { input: 3, output: 15 }
defaults:
  requests_per_minute: 100
`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", CHILD, PROMPT, policy],
    env: receiver.env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert(out.success, new TextDecoder().decode(out.stderr));
  const token = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!;
  assert(token.split(".").length === 3, "the child printed its token");

  const spans: OtlpSpan[] = payloads.filter((p) => p.path === "/v1/traces").flatMap((p) =>
    JSON.parse(p.body).resourceSpans.flatMap((r: { scopeSpans: { spans: OtlpSpan[] }[] }) =>
      r.scopeSpans.flatMap((s) => s.spans)
    )
  );
  const named = (name: string) => spans.filter((s) => s.name === name);
  assertEquals(named("verify").length, 1);
  assertEquals(named("policy").length, 1);
  assertEquals(named("ccgate messages").length, 1);
  assertEquals(named("bedrock call").length, 1);
  assertEquals(named("stream").length, 1);
  const request = named("ccgate messages")[0]!;
  assertEquals(named("bedrock call")[0]!.parentSpanId, request.spanId);
  assertEquals(named("stream")[0]!.parentSpanId, request.spanId);
  // verify and the request span belong to the same trace as the gateway's HTTP server span.
  assertEquals(named("verify")[0]!.traceId, request.traceId);
  assertEquals(named("policy")[0]!.traceId, request.traceId);
  const outcome = request.attributes?.find((a) => a.key === "ccgate.outcome")?.value;
  assertEquals(outcome, { stringValue: "completed" });

  const logs = payloads.filter((p) => p.path === "/v1/logs").map((p) => p.body).join("\n");
  assert(logs.includes('\\"msg\\":\\"messages\\"'), "the request's log line was exported");
  for (const p of payloads) {
    assert(!p.body.includes(token), `the token was exported to ${p.path}`);
    assert(!p.body.includes("OTEL-PROMPT-CANARY"), `prompt text was exported to ${p.path}`);
  }
});
