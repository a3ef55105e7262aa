import { assert, assertEquals } from "../testing/assert.ts";
import { postMessages, startGatewayStack } from "../testing/gateway_stack.ts";
import { AUTH_REFUSED_LOG_PER_SECOND } from "./on_error.ts";

Deno.test("refused credentials are logged at most N times per reason and second, counted exactly in /metrics", async () => {
  let now = Date.now();
  await using stack = await startGatewayStack({ now: () => new Date(now) });
  const refuse = async (n: number, token: string) => {
    for (let i = 0; i < n; i++) {
      const res = await postMessages(stack.url, token);
      assertEquals(res.status, 401);
      await res.body?.cancel();
    }
  };
  await refuse(50, "not-a-jwt");
  await refuse(20, "");
  const lines = () => stack.logs.filter((r) => r.msg === "credentials refused");
  const reasons = [...new Set(lines().map((r) => r.reason as string))];
  assertEquals(reasons.length, 2, "two reasons: malformed and missing");
  assertEquals(lines().length, 2 * AUTH_REFUSED_LOG_PER_SECOND);

  const metrics = await (await fetch(`${stack.url}/metrics`)).text();
  const counted = (reason: string) =>
    Number(
      metrics.split("\n").find((l) => l.startsWith(`ccgate_auth_refused_total{reason="${reason}"}`))
        ?.split(" ")[1],
    );
  assertEquals(reasons.map(counted).sort((a, b) => a - b), [20, 50], "the metric stays exact");

  now += 1_000;
  await refuse(1, "not-a-jwt");
  const last = lines().at(-1)!;
  assertEquals(last.suppressed, 50 - AUTH_REFUSED_LOG_PER_SECOND);
  assert(last.request_id !== undefined);
});
