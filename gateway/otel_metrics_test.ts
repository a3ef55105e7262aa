import { assert, assertEquals } from "../testing/assert.ts";
import { startOtlpReceiver } from "../testing/otlp_receiver.ts";
import { DEFAULT_BUCKETS, GATEWAY_METRIC_KINDS } from "./gateway_metrics.ts";
import { METRIC_HELP } from "./metrics_route.ts";

const CHILD = new URL("../testing/otel_stack_child.ts", import.meta.url).pathname;
const PROMPT = "OTEL-PROMPT-CANARY-5e1a tell me a secret";

interface OtlpPoint {
  attributes?: { key: string; value: { stringValue?: string } }[];
  asDouble?: number;
  asInt?: string;
  count?: string;
  explicitBounds?: number[];
}

interface OtlpMetric {
  name: string;
  description?: string;
  sum?: { dataPoints: OtlpPoint[]; isMonotonic?: boolean };
  gauge?: { dataPoints: OtlpPoint[] };
  histogram?: { dataPoints: OtlpPoint[] };
}

/** The metrics of one `/v1/metrics` payload. */
function _metrics(body: string): OtlpMetric[] {
  return JSON.parse(body).resourceMetrics.flatMap((
    r: { scopeMetrics: { metrics: OtlpMetric[] }[] },
  ) => r.scopeMetrics.flatMap((s) => s.metrics));
}

function _labels(point: OtlpPoint): Record<string, string> {
  return Object.fromEntries(
    (point.attributes ?? []).map((a) => [a.key, a.value.stringValue ?? ""]),
  );
}

function _value(point: OtlpPoint): number {
  return point.asDouble ?? Number(point.asInt);
}

/** The newest payload's metrics once one holds a counted request, else undefined. */
function _exported(bodies: string[]): Map<string, OtlpMetric> | undefined {
  for (const body of bodies.toReversed()) {
    const byName = new Map(_metrics(body).map((m) => [m.name, m]));
    if ((byName.get("ccgate_requests_total")?.sum?.dataPoints.length ?? 0) > 0) return byName;
  }
  return undefined;
}

Deno.test("exportOtelMetrics() exports the gateway's and auth's counters, gauges and histograms over OTLP, without token or prompt", async () => {
  const receiver = startOtlpReceiver();
  const { payloads } = receiver;
  const policy = `models:
  claude-sonnet-4-5-20250929:
    bedrock: us.anthropic.claude-sonnet-4-5-20250929-v1:0
    price: { input: 3, output: 15 }
`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", CHILD, PROMPT, policy, "--wait"],
    env: { ...receiver.env, OTEL_METRIC_EXPORT_INTERVAL: "200" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  try {
    // The child waits on stdin: wait for an export after its request. Its exit, or a minute
    // without one, fails the test; nothing here waits a fixed time.
    let exited = false;
    const status = child.status.then((s) => (exited = true, s));
    const giveUp = Date.now() + 60_000;
    let exported = _exported(payloads.filter((p) => p.path === "/v1/metrics").map((p) => p.body));
    while (exported === undefined && !exited && Date.now() < giveUp) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      exported = _exported(payloads.filter((p) => p.path === "/v1/metrics").map((p) => p.body));
    }
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode("done\n")).catch(() => {});
    await writer.close().catch(() => {});
    const out = await child.output();
    await status;
    assert(out.success, new TextDecoder().decode(out.stderr));
    assert(exported !== undefined, "the child exported ccgate_requests_total");
    const token = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!;
    assert(token.split(".").length === 3, "the child printed its token");

    const requests = exported.get("ccgate_requests_total")!;
    assertEquals(requests.sum?.isMonotonic, true);
    assertEquals(requests.description, "Model requests answered, by route, status and outcome.");
    assertEquals(
      requests.sum!.dataPoints.map((p) => ({ labels: _labels(p), value: _value(p) })),
      [{ labels: { route: "messages", status: "200", outcome: "completed" }, value: 1 }],
    );
    const tokens = exported.get("ccgate_tokens_total")!.sum!.dataPoints;
    const output = tokens.find((p) => _labels(p).kind === "output");
    assert(output !== undefined && _value(output) > 0, "output tokens were exported");
    assertEquals(_labels(output).model, "us.anthropic.claude-sonnet-4-5-20250929-v1:0");
    assertEquals(
      exported.get("ccgate_active_streams")!.gauge!.dataPoints.map((p) => [_labels(p), _value(p)]),
      [[{ route: "messages" }, 0]],
    );
    const duration = exported.get("ccgate_request_duration_seconds")!.histogram!.dataPoints;
    assertEquals(duration.map((p) => [_labels(p), p.count]), [[{ route: "messages" }, "1"]]);
    assertEquals(duration[0]!.explicitBounds, [...DEFAULT_BUCKETS]);
    // The included auth service's series, 0 from the start.
    const auth = exported.get("ccgate_auth_token_requests_total")!.sum!.dataPoints;
    assertEquals(
      _value(
        auth.find((p) => _labels(p).grant === "refresh_token" && _labels(p).outcome === "ok")!,
      ),
      0,
    );

    for (const p of payloads) {
      assert(!p.body.includes(token), `the token was exported to ${p.path}`);
      assert(!p.body.includes("OTEL-PROMPT-CANARY"), `prompt text was exported to ${p.path}`);
    }
  } finally {
    await receiver.close();
  }
});

Deno.test("exportOtelMetrics() has a kind and a description for every gateway metric", () => {
  assertEquals(Object.keys(GATEWAY_METRIC_KINDS).sort(), Object.keys(METRIC_HELP).sort());
});
