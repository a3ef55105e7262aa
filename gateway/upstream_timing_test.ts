import { textAnswer } from "@ccgate/emulators";
import { assert, assertEquals } from "../testing/assert.ts";
import { postMessages, startGatewayStack } from "../testing/gateway_stack.ts";

/** `name;dur=x;desc=...` entries of a Server-Timing header, by name. */
function serverTiming(header: string | null): Map<string, number> {
  const out = new Map<string, number>();
  for (const entry of (header ?? "").split(",")) {
    const [name, ...params] = entry.trim().split(";");
    const dur = params.find((p) => p.startsWith("dur="));
    if (name) out.set(name, dur === undefined ? NaN : Number(dur.slice(4)));
  }
  return out;
}

Deno.test("Server-Timing splits a model request into the gateway's own work and Bedrock's, streamed or not", async () => {
  await using stack = await startGatewayStack();
  for (const stream of [false, true]) {
    stack.emulator.enqueue(textAnswer("hello"));
    const res = await postMessages(stack.url, stack.token, { stream });
    assertEquals(res.status, 200);
    await res.body?.cancel();
    const t = serverTiming(res.headers.get("server-timing"));
    const [gateway, bedrock, total] = [t.get("gateway")!, t.get("bedrock")!, t.get("total")!];
    assert(gateway >= 0 && bedrock >= 0 && total >= 0, res.headers.get("server-timing")!);
    // Durations are rounded to 0.1 ms: the parts fit in the whole, within rounding.
    assert(gateway + bedrock <= total + 0.2, res.headers.get("server-timing")!);
  }
});

Deno.test("Server-Timing of a request refused before Bedrock has no bedrock part", async () => {
  await using stack = await startGatewayStack();
  const res = await fetch(`${stack.url}/v1/messages`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.token}`, "content-type": "application/json" },
    body: "{not json",
  });
  assertEquals(res.status, 400);
  await res.body?.cancel();
  const t = serverTiming(res.headers.get("server-timing"));
  assert(
    t.has("total") && t.has("gateway") && !t.has("bedrock"),
    res.headers.get("server-timing")!,
  );
  assertEquals(stack.emulator.requests.length, 0);
});
