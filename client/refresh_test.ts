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
