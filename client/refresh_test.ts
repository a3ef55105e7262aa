import { assertEquals, assertRejects } from "../testing/assert.ts";
import { serve } from "./_testing/serve.ts";
import { TokenRequestError } from "./errors.ts";
import { refresh } from "./refresh.ts";

Deno.test("refresh() sends grant_type=refresh_token and returns the successor", async () => {
  await using server = serve(() =>
    Response.json({
      access_token: "at-2",
      token_type: "bearer",
      expires_in: 60,
      refresh_token: "rt-2",
    })
  );
  const tokens = await refresh(`${server.url}/oauth/token`, "rt-1");
  assertEquals(tokens.accessToken, "at-2");
  assertEquals(tokens.refreshToken, "rt-2");
  const form = server.requests[0]!.form!;
  assertEquals(form.get("grant_type"), "refresh_token");
  assertEquals(form.get("refresh_token"), "rt-1");
  assertEquals(form.has("client_id"), false);
});

Deno.test("refresh() reports a refused refresh token as grant_invalid", async () => {
  await using server = serve(() => Response.json({ error: "invalid_grant" }, { status: 400 }));
  const err = await assertRejects(
    () => refresh(`${server.url}/oauth/token`, "rt-reused"),
    TokenRequestError,
  );
  assertEquals(err.code, "grant_invalid");
  assertEquals(err.message.includes("rt-reused"), false);
});

Deno.test("refresh() gives up after timeoutMs", async () => {
  const never = Promise.withResolvers<Response>();
  await using server = serve(() => never.promise);
  const err = await assertRejects(
    () => refresh(`${server.url}/oauth/token`, "rt", { timeoutMs: 1 }),
    TokenRequestError,
  );
  assertEquals(err.code, "network_error");
  assertEquals(err.message.includes("did not answer in time"), true);
  never.resolve(new Response(null));
});

Deno.test("refresh() reports an answer whose body stalls as network_error", async () => {
  await using server = serve(() =>
    new Response(
      new ReadableStream({
        start(c) {
          c.enqueue(new TextEncoder().encode('{"access_token":"eyJ'));
        },
      }),
      { headers: { "content-type": "application/json" } },
    )
  );
  const err = await assertRejects(
    () => refresh(`${server.url}/oauth/token`, "rt", { timeoutMs: 1_000 }),
    TokenRequestError,
  );
  assertEquals(err.code, "network_error");
});

Deno.test("refresh() says a cut-off answer is not JSON without quoting it, not even in the cause", async () => {
  await using server = serve(() =>
    new Response('{"access_token":"eyJhbGciOi.eyJzdWIi.c2ln","refresh_token": ccgr_SECRET123456')
  );
  const err = await assertRejects(
    () => refresh(`${server.url}/oauth/token`, "rt"),
    TokenRequestError,
  );
  assertEquals([err.code, err.message, err.cause], [
    "response_invalid",
    "Token response is not JSON",
    undefined,
  ]);
});

Deno.test("refresh() quotes a server's error_description bounded, with tokens redacted", async () => {
  const description = `bad token ccgr_SECRET123 and eyJhbGciOi.eyJzdWIi.c2ln\n${"x".repeat(1000)}`;
  await using server = serve(() =>
    Response.json({ error: "invalid_request", error_description: description }, { status: 400 })
  );
  const err = await assertRejects(
    () => refresh(`${server.url}/oauth/token`, "rt"),
    TokenRequestError,
  );
  assertEquals(err.code, "request_rejected");
  assertEquals(err.message.includes("ccgr_"), false);
  assertEquals(err.message.includes("eyJ"), false);
  assertEquals(err.message.includes("\n"), false);
  assertEquals(err.message.includes("bad token [redacted] and [redacted] xxx"), true);
  assertEquals(err.message.length < 300, true);
});

Deno.test("refresh() reports HTTP 429 as rate_limited with the retry-after seconds", async () => {
  await using server = serve(() =>
    Response.json({ error: "slow_down" }, { status: 429, headers: { "retry-after": "120" } })
  );
  const err = await assertRejects(
    () => refresh(`${server.url}/oauth/token`, "rt"),
    TokenRequestError,
  );
  assertEquals([err.code, err.status, err.retryAfterSeconds], ["rate_limited", 429, 120]);
  assertEquals(err.message.includes("try again in 120 s"), true);
});

Deno.test("refresh() refuses an endpoint that is not an http(s) URL as endpoint_invalid, sending nothing", async () => {
  for (const endpoint of ["not a url", "/oauth/token", "ftp://ccgate.example.com/oauth/token"]) {
    const err = await assertRejects(
      () => refresh(endpoint, "rt", { fetch: () => Promise.reject(new Error("sent")) }),
      TokenRequestError,
    );
    assertEquals(err.code, "endpoint_invalid");
  }
});

Deno.test("refresh() reports the caller's abort as aborted, not network_error", async () => {
  const never = Promise.withResolvers<Response>();
  await using server = serve(() => never.promise);
  const controller = new AbortController();
  const pending = refresh(`${server.url}/oauth/token`, "rt", { signal: controller.signal });
  controller.abort();
  const err = await assertRejects(() => pending, TokenRequestError);
  assertEquals(err.code, "aborted");
  never.resolve(new Response(null));
});
