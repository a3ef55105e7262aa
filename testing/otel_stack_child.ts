/**
 * One gateway stack run in its own process, for the OpenTelemetry tests: it
 * exports the stack's metrics (with an auth service's, as the combined
 * server does) through `@opentelemetry/api`'s meter, makes a streamed
 * `/v1/messages` request with the prompt in `Deno.args[0]` (enforcing the
 * policy whose YAML text is `Deno.args[1]`, if given), writes its log lines to the console
 * (which Deno's OpenTelemetry exports as logs) and writes the token it used
 * on stdout's last line (not through console). With `--wait` as
 * `Deno.args[2]` it then waits for a line (or the end) on stdin before it
 * exits, so the test can read the metrics exported meanwhile (Deno's export at
 * exit sends histograms only, not the observable counters and gauges). Run
 * with `OTEL_DENO=true` and an OTLP endpoint.
 *
 * @module
 */
import { metrics as otel } from "@opentelemetry/api";
import { AuthMetrics } from "../auth/auth_metrics.ts";
import { exportOtelMetrics } from "../gateway/otel_metrics.ts";
import { postMessages, startGatewayStack } from "./gateway_stack.ts";

const prompt = Deno.args[0] ?? "hello";
const stack = await startGatewayStack({ policyYaml: Deno.args[1] || undefined });
stack.metrics.include(new AuthMetrics());
exportOtelMetrics(stack.metrics, otel.getMeter("ccgate"));
const res = await postMessages(stack.url, stack.token, {
  stream: true,
  messages: [{ role: "user", content: prompt }],
});
await res.text();
await stack.close();
for (const line of stack.logLines) console.error(line);
// Not through console: Deno's OpenTelemetry exports console output as logs.
Deno.stdout.writeSync(new TextEncoder().encode(`${stack.token}\n`));
if (Deno.args[2] === "--wait") {
  for await (const chunk of Deno.stdin.readable) {
    if (new TextDecoder().decode(chunk).includes("\n")) break;
  }
}
