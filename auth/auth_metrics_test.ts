import { assert, assertEquals, assertStringIncludes } from "../testing/assert.ts";
import { startAuthFixture } from "./_testing.ts";
import { AuthMetrics, grantLabel, tokenOutcome } from "./auth_metrics.ts";
import { EntraTokenError, InvalidGrantError, RateLimitedError } from "./errors.ts";

const SCRAPE_TOKEN = "scrape-token-0123456789abcdef0123456789";

async function scrape(
  app: { request: (path: string, init?: RequestInit) => Response | Promise<Response> },
) {
  const response = await app.request("/metrics", {
    headers: { authorization: `Bearer ${SCRAPE_TOKEN}` },
  });
  assertEquals(response.status, 200);
  assertStringIncludes(response.headers.get("content-type") ?? "", "text/plain; version=0.0.4");
  return await response.text();
}

Deno.test("createApp() counts token exchanges and refreshes by grant and outcome on /metrics", async () => {
  const metrics = new AuthMetrics();
  await using f = await startAuthFixture({
    deps: { metrics, serveMetrics: { token: SCRAPE_TOKEN } },
  });
  const { refresh_token } = await f.signIn();
  assertEquals((await f.refresh(refresh_token)).status, 200);
  assertEquals((await f.refresh("ccgr_not-a-known-refresh-token")).body.error, "invalid_grant");
  const text = await scrape(f.app);
  assertStringIncludes(
    text,
    'ccgate_auth_token_requests_total{grant="token_exchange",outcome="ok"} 1\n',
  );
  assertStringIncludes(
    text,
    'ccgate_auth_token_requests_total{grant="refresh_token",outcome="ok"} 1\n',
  );
  assertStringIncludes(
    text,
    'ccgate_auth_token_requests_total{grant="refresh_token",outcome="invalid_grant"} 1\n',
  );
  assertStringIncludes(text, "# TYPE ccgate_auth_token_requests_total counter\n");
  assertStringIncludes(text, "# TYPE ccgate_auth_signing_key_age_seconds gauge\n");
  await f.assertNoLeaks();
});

Deno.test("createApp() counts 429s by limiter bucket and as rate_limited token requests", async () => {
  const metrics = new AuthMetrics();
  await using f = await startAuthFixture({
    env: { CCGATE_TOKEN_FAILURES_PER_IP: "1" },
    deps: { metrics, serveMetrics: { token: SCRAPE_TOKEN } },
  });
  assertEquals((await f.refresh("ccgr_unknown-one")).status, 400);
  assertEquals((await f.refresh("ccgr_unknown-two")).status, 429);
  assertEquals((await f.refresh("ccgr_unknown-three")).status, 429);
  const text = await scrape(f.app);
  assertStringIncludes(
    text,
    'ccgate_auth_rate_limited_total{bucket="failed_refresh_per_address"} 2\n',
  );
  assertStringIncludes(text, 'ccgate_auth_rate_limited_total{bucket="token_per_address"} 0\n');
  assertStringIncludes(
    text,
    'ccgate_auth_token_requests_total{grant="refresh_token",outcome="rate_limited"} 2\n',
  );
});

Deno.test("createApp() counts revocations by reason: logout and reuse_detected", async () => {
  const metrics = new AuthMetrics();
  await using f = await startAuthFixture({ deps: { metrics } });
  const first = await f.signIn();
  assertEquals(
    (await f.post("/oauth/revoke", { token: first.refresh_token })).status,
    200,
  );
  const second = await f.signIn();
  assertEquals((await f.refresh(second.refresh_token)).status, 200);
  f.clock.advance((f.config.refreshGraceSeconds + 1) * 1000);
  assertEquals((await f.refresh(second.refresh_token)).body.error, "invalid_grant");
  assertEquals(metrics.value("ccgate_auth_revocations_total", { reason: "logout" }), 1);
  assertEquals(metrics.value("ccgate_auth_revocations_total", { reason: "reuse_detected" }), 1);
  assertEquals(metrics.value("ccgate_auth_revocations_total", { reason: "admin" }), 0);
});

Deno.test("createApp() counts Entra tokens signed by an unknown kid as entra key errors", async () => {
  const metrics = new AuthMetrics();
  await using f = await startAuthFixture({ deps: { metrics } });
  const token = await f.entra.mintAccessToken({ key: "unpublished" });
  f.secrets.add(token);
  assertEquals((await f.exchange(token)).status, 400);
  assertEquals(metrics.value("ccgate_auth_entra_key_errors_total", { reason: "unknown_kid" }), 1);
  assertEquals(
    metrics.value("ccgate_auth_token_requests_total", {
      grant: "token_exchange",
      outcome: "invalid_request",
    }),
    1,
  );
});

Deno.test("createApp() counts an unreachable Entra JWKS as keys_unavailable and the exchange as unavailable", async () => {
  const metrics = new AuthMetrics();
  await using f = await startAuthFixture({
    deps: { metrics },
    verifier: { fetch: () => Promise.reject(new TypeError("connection refused")) },
  });
  const token = await f.entra.mintAccessToken();
  f.secrets.add(token);
  assertEquals((await f.exchange(token)).status, 503);
  assertEquals(
    metrics.value("ccgate_auth_entra_key_errors_total", { reason: "keys_unavailable" }),
    1,
  );
  assertEquals(
    metrics.value("ccgate_auth_token_requests_total", {
      grant: "token_exchange",
      outcome: "unavailable",
    }),
    1,
  );
});

Deno.test("createApp() reports the current signing key's age, reset by a rotation", async () => {
  const metrics = new AuthMetrics();
  await using f = await startAuthFixture({ deps: { metrics } });
  f.clock.advance(3_600_000);
  assertEquals(metrics.value("ccgate_auth_signing_key_age_seconds"), 3600);
  await f.keys.rotate();
  assertEquals(metrics.value("ccgate_auth_signing_key_age_seconds"), 0);
  f.clock.advance(90_000);
  assertEquals(metrics.value("ccgate_auth_signing_key_age_seconds"), 90);
});

Deno.test("createApp() refuses /metrics without the scrape token and serves none unless asked", async () => {
  await using guarded = await startAuthFixture({
    deps: { metrics: new AuthMetrics(), serveMetrics: { token: SCRAPE_TOKEN } },
  });
  const refused = await guarded.app.request("/metrics");
  assertEquals(refused.status, 401);
  assertEquals((await refused.json()).error, "invalid_token");
  const wrong = await guarded.app.request("/metrics", {
    headers: { authorization: `Bearer ${SCRAPE_TOKEN}x` },
  });
  assertEquals(wrong.status, 401);
  await using unserved = await startAuthFixture({ deps: { metrics: new AuthMetrics() } });
  assertEquals((await unserved.app.request("/metrics")).status, 404);
});

Deno.test("grantLabel() and tokenOutcome() map to the fixed label sets", () => {
  assertEquals(grantLabel("urn:ietf:params:oauth:grant-type:token-exchange"), "token_exchange");
  assertEquals(grantLabel("urn:ietf:params:oauth:grant-type:device_code"), "device_code");
  assertEquals(grantLabel("password"), "other");
  assertEquals(grantLabel(undefined), "other");
  assertEquals(
    tokenOutcome(new InvalidGrantError("refresh_token_reused", "reused")),
    "invalid_grant",
  );
  assertEquals(tokenOutcome(new RateLimitedError("ip", 3)), "rate_limited");
  assertEquals(
    tokenOutcome(new EntraTokenError("entra_token_keys_unavailable", "down")),
    "unavailable",
  );
  assertEquals(tokenOutcome(new EntraTokenError("entra_token_expired", "old")), "invalid_request");
  assertEquals(tokenOutcome(new Error("bug")), "error");
  const samples = new AuthMetrics().samples();
  assert(samples.every((s) => s.value === 0));
  assertEquals(samples.filter((s) => s.name === "ccgate_auth_token_requests_total").length, 28);
});

Deno.test("AuthMetrics.kinds names every series it samples with its kind, and each has HELP text", () => {
  const metrics = new AuthMetrics();
  metrics.rateLimitedFrom("token_per_address", () => 0);
  metrics.signingKeyAgeFrom(() => 5);
  for (const s of metrics.samples()) {
    assertEquals([s.name, metrics.kinds[s.name]], [s.name, "counter"]);
  }
  for (const s of metrics.gauges()) {
    assertEquals([s.name, metrics.kinds[s.name]], [s.name, "gauge"]);
  }
  assertEquals(Object.keys(metrics.kinds).sort(), Object.keys(metrics.help).sort());
});
