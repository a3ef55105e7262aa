import { assertEquals, assertRejects } from "../testing/assert.ts";
import { serve } from "./_testing/serve.ts";
import { TokenRequestError } from "./errors.ts";
import { revoke } from "./revoke.ts";

Deno.test("revoke() sends an RFC 7009 request", async () => {
  await using server = serve(() => new Response(null, { status: 200 }));
  await revoke(`${server.url}/oauth/revoke`, "rt-1", { clientId: "cli" });
  const form = server.requests[0]!.form!;
  assertEquals(form.get("token"), "rt-1");
  assertEquals(form.get("token_type_hint"), "refresh_token");
  assertEquals(form.get("client_id"), "cli");
});

Deno.test("revoke() throws when the service refuses", async () => {
  await using server = serve(() => Response.json({ error: "invalid_client" }, { status: 401 }));
  const err = await assertRejects(
    () => revoke(`${server.url}/oauth/revoke`, "rt-1"),
    TokenRequestError,
  );
  assertEquals(err.code, "request_rejected");
});
