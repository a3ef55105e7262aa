/**
 * One gateway stack run in its own process, for the OpenTelemetry test: it
 * makes a streamed `/v1/messages` request with the prompt in `Deno.args[0]`
 * (through the policy file `Deno.args[1]`, if given),
 * writes its log lines to the console (which Deno's OpenTelemetry exports as
 * logs) and writes the token it used on stdout's last line (not through console). Run with
 * `OTEL_DENO=true` and an OTLP endpoint.
 *
 * @module
 */
import { postMessages, startGatewayStack } from "./gateway_stack.ts";

const prompt = Deno.args[0] ?? "hello";
const stack = await startGatewayStack({ policy: Deno.args[1] });
const res = await postMessages(stack.url, stack.token, {
  stream: true,
  messages: [{ role: "user", content: prompt }],
});
await res.text();
await stack.close();
for (const line of stack.logLines) console.error(line);
// Not through console: Deno's OpenTelemetry exports console output as logs.
Deno.stdout.writeSync(new TextEncoder().encode(`${stack.token}\n`));
