import { assertEquals, assertRejects } from "../testing/assert.ts";
import { serve } from "./_testing/serve.ts";
import { TokenRequestError } from "./errors.ts";
import { ACCESS_TOKEN_TYPE, exchangeToken, TOKEN_EXCHANGE_GRANT_TYPE } from "./exchange_token.ts";

const ok = {
  access_token: "at-1",
  issued_token_type: ACCESS_TOKEN_TYPE,
  token_type: "Bearer",
  expires_in: 3600,
  refresh_token: "rt-1",
};

Deno.test("exchangeToken() sends an RFC 8693 request and returns the tokens", async () => {
  await using server = serve(() => Response.json(ok));
  const tokens = await exchangeToken(`${server.url}/oauth/token`, "entra-token", {
    clientId: "cli",
  });
  assertEquals(tokens, {
    accessToken: "at-1",
    tokenType: "Bearer",
    expiresIn: 3600,
    refreshToken: "rt-1",
    issuedTokenType: ACCESS_TOKEN_TYPE,
    scope: undefined,
  });
  const form = server.requests[0]!.form!;
  assertEquals(form.get("grant_type"), TOKEN_EXCHANGE_GRANT_TYPE);
  assertEquals(form.get("subject_token"), "entra-token");
  assertEquals(form.get("subject_token_type"), ACCESS_TOKEN_TYPE);
  assertEquals(form.get("client_id"), "cli");
});

Deno.test("exchangeToken() maps invalid_grant to grant_invalid without the token in the message", async () => {
  await using server = serve(() =>
    Response.json({ error: "invalid_grant", error_description: "tenant not allowed" }, {
      status: 400,
    })
  );
  const err = await assertRejects(
    () => exchangeToken(`${server.url}/oauth/token`, "secret-entra-token"),
    TokenRequestError,
  );
  assertEquals(err.code, "grant_invalid");
  assertEquals(err.oauthError, "invalid_grant");
  assertEquals(err.status, 400);
  assertEquals(err.message.includes("secret-entra-token"), false);
});

Deno.test("exchangeToken() maps other OAuth errors to request_rejected", async () => {
  await using server = serve(() => Response.json({ error: "invalid_request" }, { status: 400 }));
  const err = await assertRejects(
    () => exchangeToken(`${server.url}/oauth/token`, "t"),
    TokenRequestError,
  );
  assertEquals(err.code, "request_rejected");
});

Deno.test("exchangeToken() maps 5xx to network_error and 429 to rate_limited", async () => {
  for (
    const [status, code] of [[500, "network_error"], [503, "network_error"], [429, "rate_limited"]]
  ) {
    await using server = serve(() => new Response("busy", { status: Number(status) }));
    const err = await assertRejects(
      () => exchangeToken(`${server.url}/oauth/token`, "t"),
      TokenRequestError,
    );
    assertEquals(err.code, code);
    assertEquals(err.status, status);
  }
});

Deno.test("exchangeToken() reports an unreachable service as network_error", async () => {
  const server = serve(() => Response.json(ok));
  const url = server.url;
  await server[Symbol.asyncDispose]();
  const err = await assertRejects(
    () => exchangeToken(`${url}/oauth/token`, "t"),
    TokenRequestError,
  );
  assertEquals(err.code, "network_error");
});

Deno.test("exchangeToken() rejects malformed token responses", async () => {
  const bodies: unknown[] = [
    { token_type: "Bearer", expires_in: 60 },
    { access_token: "a", token_type: "mac", expires_in: 60 },
    { access_token: "a", token_type: "Bearer" },
    { access_token: "a", token_type: "Bearer", expires_in: -1 },
    { access_token: "a", token_type: "Bearer", expires_in: 60, refresh_token: 5 },
  ];
  for (const body of bodies) {
    await using server = serve(() => Response.json(body));
    const err = await assertRejects(
      () => exchangeToken(`${server.url}/oauth/token`, "t"),
      TokenRequestError,
    );
    assertEquals(err.code, "response_invalid");
  }
  await using notJson = serve(() => new Response("<html>"));
  const err = await assertRejects(
    () => exchangeToken(`${notJson.url}/oauth/token`, "t"),
    TokenRequestError,
  );
  assertEquals(err.code, "response_invalid");
});

Deno.test("exchangeToken() does not follow redirects", async () => {
  await using server = serve(() =>
    new Response(null, { status: 307, headers: { location: "http://127.0.0.1:1/steal" } })
  );
  const err = await assertRejects(
    () => exchangeToken(`${server.url}/oauth/token`, "t"),
    TokenRequestError,
  );
  assertEquals(err.code, "request_rejected");
  assertEquals(server.requests.length, 1);
});
