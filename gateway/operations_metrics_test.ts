/**
 * The operational metrics of failover and the circuit breaker, over real
 * sockets against two Bedrock emulator regions, read from `GET /metrics`
 * as a scraper does. Backoff and cooldowns run on fake timers.
 */
import { errorScript, textAnswer } from "@ccgate/emulators";
import { assert, assertEquals } from "../testing/assert.ts";
import { FakeTimers } from "../testing/fake_timers.ts";
import { postMessages, startGatewayStack } from "../testing/gateway_stack.ts";

/** The value of one sample line of a Prometheus text, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(series + " "));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

Deno.test("GET /metrics counts failovers by region and reason, and the open circuits per region, with a log line when one opens and closes", async () => {
  const timers = new FakeTimers();
  await using stack = await startGatewayStack({
    timers,
    regions: [{ region: "us-west-2" }],
    env: {
      CCGATE_RETRY_MAX_ATTEMPTS: "2",
      CCGATE_RETRY_BASE_MS: "0",
      CCGATE_BREAKER_FAILURES: "2",
      CCGATE_BREAKER_COOLDOWN_MS: "30000",
    },
  });
  const [east, west] = stack.emulators;
  const scrape = async () => await (await fetch(`${stack.url}/metrics`)).text();
  const failovers = (reason: string) =>
    `ccgate_upstream_failovers_total{from_region="us-east-1",to_region="us-west-2",reason="${reason}"}`;
  const open = (region: string) => `ccgate_circuit_open{region="${region}"}`;

  let text = await scrape();
  assertEquals([sample(text, open("us-east-1")), sample(text, open("us-west-2"))], [0, 0]);
  assertEquals(sample(text, "ccgate_upstream_calls_in_flight"), 0);

  // Two throttled calls in us-east-1: each fails over to us-west-2; the second opens the circuit.
  for (let i = 0; i < 2; i++) {
    east!.enqueue(errorScript("ThrottlingException"));
    west!.enqueue(textAnswer(`west ${i}`));
    const res = await postMessages(stack.url, stack.token, { stream: true });
    assertEquals(res.status, 200);
    await res.text();
  }
  text = await scrape();
  assertEquals(sample(text, failovers("throttled")), 2);
  assertEquals(sample(text, open("us-east-1")), 1);
  assertEquals(sample(text, open("us-west-2")), 0);
  assertEquals(sample(text, `ccgate_circuit_opened_total{region="us-east-1"}`), 1);
  assert(text.includes("# TYPE ccgate_circuit_open gauge"));
  assert(text.includes("# TYPE ccgate_upstream_failovers_total counter"));
  const opened = stack.logs.filter((r) => r.msg === "circuit opened");
  assertEquals(opened.map((r) => [r.level, r.region]), [["warn", "us-east-1"]]);

  // While it is open, us-east-1 is skipped: no failover, straight to us-west-2.
  west!.enqueue(textAnswer("west again"));
  const skipped = await postMessages(stack.url, stack.token, {});
  assertEquals(skipped.status, 200);
  await skipped.body?.cancel();
  assertEquals(east!.requests.length, 2);
  assertEquals(sample(await scrape(), failovers("throttled")), 2);

  // After the cooldown the probe to us-east-1 succeeds: the circuit closes.
  timers.advance(30_000);
  east!.enqueue(textAnswer("east is back"));
  const probe = await postMessages(stack.url, stack.token, {});
  assertEquals(probe.status, 200);
  await probe.body?.cancel();
  text = await scrape();
  assertEquals(sample(text, open("us-east-1")), 0);
  assertEquals(
    stack.logs.filter((r) => r.msg === "circuit closed").map((r) => [r.level, r.region]),
    [["info", "us-east-1"]],
  );
});

Deno.test("GET /metrics names a 5xx failover server_error", async () => {
  await using stack = await startGatewayStack({
    regions: [{ region: "us-west-2" }],
    env: { CCGATE_RETRY_MAX_ATTEMPTS: "2", CCGATE_RETRY_BASE_MS: "0" },
  });
  const [east, west] = stack.emulators;
  east!.enqueue(errorScript("ServiceUnavailableException"));
  west!.enqueue(textAnswer("west"));
  const res = await postMessages(stack.url, stack.token, {});
  assertEquals(res.status, 200);
  await res.body?.cancel();
  const text = await (await fetch(`${stack.url}/metrics`)).text();
  assertEquals(
    sample(
      text,
      'ccgate_upstream_failovers_total{from_region="us-east-1",to_region="us-west-2",reason="server_error"}',
    ),
    1,
  );
});

Deno.test("GET /metrics names a failover from an unreachable region connection", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closed = (listener.addr as Deno.NetAddr).port;
  listener.close();
  await using stack = await startGatewayStack({
    regions: [{ region: "eu-west-1", endpoint: `http://127.0.0.1:${closed}` }],
    env: {
      CCGATE_BEDROCK_REGIONS: "eu-west-1,us-east-1",
      CCGATE_RETRY_MAX_ATTEMPTS: "2",
      CCGATE_RETRY_BASE_MS: "0",
    },
  });
  stack.emulator.enqueue(textAnswer("reachable"));
  const res = await postMessages(stack.url, stack.token, {});
  assertEquals(res.status, 200);
  await res.body?.cancel();
  const text = await (await fetch(`${stack.url}/metrics`)).text();
  assertEquals(
    sample(
      text,
      'ccgate_upstream_failovers_total{from_region="eu-west-1",to_region="us-east-1",reason="connection"}',
    ),
    1,
  );
});

Deno.test("GET /metrics shows a rejected policy reload until the file is fixed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ccgate-policy-" });
  const path = `${dir}/policy.yaml`;
  const policy = (rpm: unknown) =>
    `models:\n  m:\n    bedrock: us.anthropic.claude-haiku-4-5-20251001-v1:0\n    price: { input: 1, output: 5 }\ndefaults:\n  requests_per_minute: ${rpm}\n`;
  try {
    await Deno.writeTextFile(path, policy(10));
    await using stack = await startGatewayStack({ policy: path });
    const scrape = async () => await (await fetch(`${stack.url}/metrics`)).text();
    let text = await scrape();
    assertEquals(sample(text, "ccgate_policy_reload_failures_total"), 0);
    assertEquals(sample(text, "ccgate_policy_file_rejected"), 0);
    await Deno.writeTextFile(path, policy('"many"'));
    assertEquals(await stack.policyFile!.reload(), "rejected");
    await stack.policyFile!.reload();
    text = await scrape();
    assertEquals(sample(text, "ccgate_policy_reload_failures_total"), 1);
    assertEquals(sample(text, "ccgate_policy_file_rejected"), 1, "the next restart would fail");
    await Deno.writeTextFile(path, policy(20));
    assertEquals(await stack.policyFile!.reload(), "reloaded");
    text = await scrape();
    assertEquals(sample(text, "ccgate_policy_reload_failures_total"), 1);
    assertEquals(sample(text, "ccgate_policy_file_rejected"), 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
