import { generateKeyPair, SignJWT } from "jose";
import { assert, assertEquals, assertStringIncludes } from "../testing/assert.ts";
import { postInvoke, postMessages, startGatewayStack } from "../testing/gateway_stack.ts";
import { TEST_AUDIENCE, TEST_ISSUER } from "../testing/test_issuer.ts";
import { JwksKeySet } from "./jwks_key_set.ts";

function b64url(value: unknown): string {
  return btoa(JSON.stringify(value)).replaceAll("=", "").replaceAll("+", "-").replaceAll("/", "_");
}

Deno.test("authenticate() answers every bad credential with 401, never reaching Bedrock or echoing it", async () => {
  await using stack = await startGatewayStack();
  const { issuer } = stack;
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: TEST_ISSUER,
    aud: TEST_AUDIENCE,
    sub: "u",
    sid: "s",
    jti: "j",
    client_id: "c",
    iat: now,
    exp: now + 600,
  };
  const stranger = await generateKeyPair("ES256");
  const cases: { name: string; headers: Record<string, string>; token?: string }[] = [];
  const bearer = (name: string, token: string) =>
    cases.push({ name, headers: { authorization: `Bearer ${token}` }, token });

  cases.push({ name: "no token", headers: {} });
  cases.push({ name: "wrong scheme", headers: { authorization: `Basic ${btoa("a:b")}` } });
  bearer("malformed", "not-a-jwt");
  bearer("alg none", `${b64url({ alg: "none", typ: "at+jwt" })}.${b64url(claims)}.`);
  bearer(
    "HS256 signed with the public key",
    await new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "at+jwt", kid: "test-key" })
      .sign(
        new TextEncoder().encode(
          JSON.stringify(await crypto.subtle.exportKey("jwk", issuer.publicKey)),
        ),
      ),
  );
  bearer("unknown kid", await issuer.mint({ header: { kid: "other-key" } }));
  bearer(
    "signed by another key",
    await issuer.mint({ privateKey: stranger.privateKey }),
  );
  bearer("wrong iss", await issuer.mint({ claims: { iss: "https://evil.example" } }));
  bearer("wrong aud", await issuer.mint({ claims: { aud: "someone-else" } }));
  bearer("wrong typ", await issuer.mint({ header: { typ: "JWT" } }));
  bearer("expired", await issuer.mint({ now: new Date(Date.now() - 7_200_000) }));
  bearer("not yet valid", await issuer.mint({ claims: { nbf: now + 3600 } }));
  cases.push({
    name: "x-api-key differs from the bearer token",
    headers: { authorization: `Bearer ${stack.token}`, "x-api-key": await issuer.mint() },
    token: stack.token,
  });

  for (const c of cases) {
    const response = await fetch(`${stack.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", ...c.headers },
      body: JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 8, messages: [] }),
    });
    assertEquals(response.status, 401, c.name);
    const www = response.headers.get("www-authenticate") ?? "";
    assertStringIncludes(www, "Bearer", c.name);
    const text = await response.text();
    const body = JSON.parse(text);
    assertEquals(body.error.type, "authentication_error", c.name);
    if (c.token) assert(!text.includes(c.token), `${c.name}: the token is echoed`);
  }
  assertEquals(stack.emulator.requests.length, 0);
  const logged = JSON.stringify(stack.logs);
  for (const c of cases) if (c.token) assert(!logged.includes(c.token), `${c.name}: token logged`);
});

Deno.test("authenticate() accepts the token as x-api-key alone, and both when equal", async () => {
  await using stack = await startGatewayStack();
  const variants: Record<string, string>[] = [
    { "x-api-key": stack.token },
    { authorization: `Bearer ${stack.token}`, "x-api-key": stack.token },
  ];
  for (const headers of variants) {
    const response = await fetch(`${stack.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({
        model: "claude-sonnet-4-5",
        max_tokens: 8,
        messages: [{ role: "user", content: "Hi" }],
      }),
    });
    assertEquals(response.status, 200);
    await response.body?.cancel();
  }
});

Deno.test("authenticate() rejects a revoked session's token even when cached", async () => {
  await using stack = await startGatewayStack();
  const ok = await postMessages(stack.url, stack.token);
  assertEquals(ok.status, 200);
  await ok.body?.cancel();
  stack.revoked.add("sess-test");
  const rejected = await postMessages(stack.url, stack.token);
  assertEquals(rejected.status, 401);
  assertStringIncludes(
    (await rejected.json()).error.message,
    "the session was revoked; sign in again with `ccgate login`",
  );
});

Deno.test("authenticate() refusals are logged and counted by reason, never with the credential", async () => {
  await using stack = await startGatewayStack();
  const expired = await stack.issuer.mint({ now: new Date(Date.now() - 7_200_000) });
  const forged = await stack.issuer.mint({ header: { kid: "other-key" } });
  const tries: [Record<string, string>, string][] = [
    [{}, "credentials_missing"],
    [{ authorization: `Bearer ${expired}` }, "token_expired"],
    [{ authorization: `Bearer ${forged}` }, "token_key_unknown"],
  ];
  for (const [headers] of tries) {
    const response = await fetch(`${stack.url}/v1/messages`, { method: "POST", headers });
    assertEquals(response.status, 401);
    await response.body?.cancel();
  }
  stack.revoked.add("sess-test");
  const revoked = await postMessages(stack.url, stack.token);
  assertEquals(revoked.status, 401);
  await revoked.body?.cancel();

  const refused = stack.logs.filter((l) => l.msg === "credentials refused");
  assertEquals(
    refused.map((l) => [l.level, l.reason, l.method, l.path]),
    [
      ["warn", "credentials_missing", "POST", "/v1/messages"],
      ["info", "token_expired", "POST", "/v1/messages"],
      ["warn", "token_key_unknown", "POST", "/v1/messages"],
      ["warn", "session_revoked", "POST", "/v1/messages"],
    ],
  );
  for (
    const reason of ["credentials_missing", "token_expired", "token_key_unknown", "session_revoked"]
  ) {
    assertEquals(stack.metrics.value("ccgate_auth_refused_total", { reason }), 1, reason);
  }
  const logged = JSON.stringify(stack.logs);
  for (const token of [expired, forged, stack.token]) assert(!logged.includes(token));
});

Deno.test("authenticate() tells the user what renews a token signed with a key or for an audience it no longer trusts", async () => {
  await using stack = await startGatewayStack();
  const stranger = await generateKeyPair("ES256");
  const messageOf = async (token: string) => {
    const response = await fetch(`${stack.url}/v1/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: "{}",
    });
    assertEquals(response.status, 401);
    return ((await response.json()) as { error: { message: string } }).error.message;
  };
  const renew = "get a new token with `ccgate refresh` (or sign in with `ccgate login`)";
  assertEquals(
    await messageOf(await stack.issuer.mint({ header: { kid: "rotated-away" } })),
    `Invalid access token: No verification key matches the token; ${renew}`,
  );
  assertStringIncludes(
    await messageOf(await stack.issuer.mint({ privateKey: stranger.privateKey })),
    renew,
  );
  assertStringIncludes(
    await messageOf(await stack.issuer.mint({ claims: { aud: "another-deployment" } })),
    renew,
  );
  assertEquals(
    await messageOf("sk-ant-api03-not-a-ccgate-token"),
    "Invalid access token: Token is not a valid JWT; this gateway takes ccgate access tokens: sign in with `ccgate login`",
  );
  const expired = await messageOf(
    await stack.issuer.mint({ now: new Date(Date.now() - 7_200_000) }),
  );
  assert(!expired.includes("ccgate"), `the helper renews an expired token itself: ${expired}`);
});

Deno.test("authenticate() answers 503 with retry-after, not a sign-in hint, when the auth service's keys cannot be fetched", async () => {
  // The auth service's JWKS over a real socket: a 502 HTML page from a proxy in front of it.
  let fetches = 0;
  await using jwks = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
    fetches++;
    return new Response("<html><body>502 Bad Gateway</body></html>", {
      status: 502,
      headers: { "content-type": "text/html" },
    });
  });
  const keys = new JwksKeySet({
    url: new URL(`http://127.0.0.1:${jwks.addr.port}/.well-known/jwks.json`),
    now: () => new Date("2026-11-30T12:00:00Z"), // fixed: no retry interval passes
    log: () => {},
  });
  await using stack = await startGatewayStack({ key: keys.key });
  const token = await stack.issuer.mint();
  const anthropic = await fetch(`${stack.url}/v1/models`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assertEquals(anthropic.status, 503);
  assertEquals(anthropic.headers.get("retry-after"), "5");
  assertEquals(anthropic.headers.get("x-should-retry"), "true");
  const body = (await anthropic.json()) as { error: { type: string; message: string } };
  assertEquals(body.error.type, "api_error");
  assertEquals(
    body.error.message,
    "Cannot check the access token: the sign-in service's keys could not be fetched; try again in a few seconds",
  );
  const bedrock = await fetch(`${stack.url}/model/anthropic.claude-x/invoke`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: "{}",
  });
  assertEquals(bedrock.status, 503);
  assertEquals(bedrock.headers.get("x-amzn-errortype"), "ServiceUnavailableException");
  await bedrock.body?.cancel();
  for (let i = 0; i < 20; i++) {
    const again = await fetch(`${stack.url}/v1/models`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assertEquals(again.status, 503);
    await again.body?.cancel();
  }
  // One fetch for 22 requests: the key set waits before asking the failing JWKS again.
  assertEquals(fetches, 1);
  assertEquals(
    stack.metrics.value("ccgate_auth_refused_total", { reason: "token_keys_unavailable" }),
    22,
  );
  assertEquals(
    stack.logs.filter((r) => r.msg === "upstream failure").length,
    0,
    "sampled with the refused credentials, not one line per request",
  );
});

Deno.test("authenticate() answers an empty token (Claude Code's when its apiKeyHelper fails) with what to run and x-should-retry: false, on every route", async () => {
  await using stack = await startGatewayStack();
  const empty = { url: stack.url, token: "" };
  const anthropic = await fetch(`${stack.url}/v1/messages`, {
    method: "POST",
    // What Claude Code sends in its default mode when the helper failed.
    headers: { authorization: "Bearer", "x-api-key": "", "content-type": "application/json" },
    body: "{}",
  });
  const native = await postInvoke(empty, "us.anthropic.claude-opus-5-5", { stream: true });
  for (const response of [anthropic, native]) {
    assertEquals(response.status, 401);
    assertEquals(response.headers.get("x-should-retry"), "false");
    assertStringIncludes(
      await response.text(),
      "Missing credentials: the token is empty, as Claude Code sends it when its apiKeyHelper (`ccgate token`) fails; run `ccgate token` to see why",
    );
  }
  assertEquals(native.headers.get("x-amzn-errortype"), "UnrecognizedClientException");
  assertEquals(
    stack.metrics.value("ccgate_auth_refused_total", { reason: "credentials_missing" }),
    2,
  );
  // No credential at all is no retry either; with the token as x-api-key, an empty bearer is fine.
  const none = await fetch(`${stack.url}/v1/messages`, { method: "POST", body: "{}" });
  assertEquals(none.status, 401);
  assertEquals(none.headers.get("x-should-retry"), "false");
  assertStringIncludes(await none.text(), "send a ccgate access token");
  const keyed = await fetch(`${stack.url}/v1/messages`, {
    method: "POST",
    headers: {
      authorization: "Bearer",
      "x-api-key": stack.token,
      "content-type": "application/json",
    },
    body: JSON.stringify({
      model: "claude-sonnet-4-5",
      max_tokens: 8,
      messages: [{ role: "user", content: "Hi" }],
    }),
  });
  assertEquals(keyed.status, 200);
  await keyed.body?.cancel();
});
