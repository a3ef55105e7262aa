import { startAuthStack } from "../testing/auth_stack.ts";
import { assertEquals } from "../testing/assert.ts";
import { ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT } from "./authorization_server_metadata.ts";

// Over a real socket, through the one-origin server of main.ts (composeApp):
// the peer is 127.0.0.1, standing in for the TLS proxy.
Deno.test("the combined server keys sign-in limits on the client behind a trusted proxy, over a real socket", async () => {
  await using stack = await startAuthStack({
    gateway: true,
    env: { CCGATE_TRUSTED_PROXIES: "127.0.0.1", CCGATE_TOKEN_RATE_PER_IP: "1" },
    entra: { autoApprove: true },
  });
  const signIn = async (forwardedFor: string) => {
    const response = await fetch(`${stack.url}/oauth/token`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-forwarded-for": forwardedFor,
      },
      body: new URLSearchParams({
        grant_type: TOKEN_EXCHANGE_GRANT,
        subject_token: await stack.entra.mintAccessToken({ user: { oid: crypto.randomUUID() } }),
        subject_token_type: ACCESS_TOKEN_TYPE,
      }),
    });
    await response.body?.cancel();
    return response.status;
  };
  assertEquals(await signIn("198.51.100.1"), 200);
  assertEquals(await signIn("198.51.100.1"), 429);
  assertEquals(await signIn("198.51.100.2"), 200);
  assertEquals(
    await signIn("6.6.6.6, 198.51.100.2"),
    429,
    "a client-written entry changes nothing",
  );
});
