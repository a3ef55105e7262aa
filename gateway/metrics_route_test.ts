import { assert, assertEquals } from "../testing/assert.ts";
import { startGatewayStack } from "../testing/gateway_stack.ts";
import { PROMETHEUS_CONTENT_TYPE } from "./prometheus_text.ts";

const TOKEN = "m".repeat(24) + "-scrape-token-0123456789";

Deno.test("GET /metrics with CCGATE_METRICS_TOKEN answers only a scraper that sends it", async () => {
  await using stack = await startGatewayStack({ env: { CCGATE_METRICS_TOKEN: TOKEN } });
  for (const authorization of [undefined, "Bearer wrong", `Basic ${TOKEN}`, `Bearer ${TOKEN}x`]) {
    const res = await fetch(`${stack.url}/metrics`, {
      headers: authorization === undefined ? {} : { authorization },
    });
    assertEquals(res.status, 401, String(authorization));
    const body = await res.json();
    assertEquals(body.type, "error");
    assertEquals(body.error.type, "authentication_error");
    assert(!JSON.stringify(body).includes(TOKEN), "the token is never echoed");
    assert(res.headers.get("www-authenticate")?.startsWith("Bearer"));
  }
  const ok = await fetch(`${stack.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assertEquals(ok.status, 200);
  assertEquals(ok.headers.get("content-type"), PROMETHEUS_CONTENT_TYPE);
  await ok.body?.cancel();
});

Deno.test("GET /metrics without CCGATE_METRICS_TOKEN stays open", async () => {
  await using stack = await startGatewayStack();
  const res = await fetch(`${stack.url}/metrics`);
  assertEquals(res.status, 200);
  await res.body?.cancel();
});

Deno.test("CCGATE_METRICS_TOKEN shorter than 32 characters stops the start with a clear error", async () => {
  const { loadGatewayConfig } = await import("./config.ts");
  const { ConfigError } = await import("./errors.ts");
  let error: unknown;
  try {
    loadGatewayConfig({ CCGATE_METRICS_TOKEN: "short" });
  } catch (err) {
    error = err;
  }
  assert(error instanceof ConfigError);
  assert(error.message.includes("CCGATE_METRICS_TOKEN"), error.message);
  assert(!error.message.includes("short"), "the rejected secret is not echoed");
  let unsendable: unknown;
  try {
    loadGatewayConfig({ CCGATE_METRICS_TOKEN: "x".repeat(40) + "!" });
  } catch (err) {
    unsendable = err;
  }
  assert(unsendable instanceof ConfigError, "a token no bearer header could carry is refused");
});
