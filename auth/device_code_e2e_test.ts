/**
 * End to end across real sockets: device-code sign-in against the Entra
 * emulator → RFC 8693 exchange at the auth service → the ccgate token works
 * on the gateway's `/v1/messages` (Bedrock emulator behind it) → logout →
 * the gateway refuses it.
 */
import { textAnswer } from "@ccgate/emulators";
import { assert, assertEquals } from "../testing/assert.ts";
import { startAuthStack } from "../testing/auth_stack.ts";
import { ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT } from "./authorization_server_metadata.ts";

async function postForm(url: string, form: Record<string, string>) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: await response.json() };
}

Deno.test("device-code sign-in, exchange, then the token works on the gateway's /v1/messages", async () => {
  await using stack = await startAuthStack({
    gateway: true,
    entra: { autoApprove: true, pollIntervalSeconds: 0 },
  });
  const { url, logs } = stack;
  const bedrock = stack.bedrock!;

  // 1. Discover where to sign in, as the CLI does.
  const metadata = await (await fetch(`${url}/.well-known/oauth-authorization-server`)).json();
  const authority = metadata.ccgate_entra.authority as string;
  const clientId = metadata.ccgate_entra.client_id as string;

  // 2. Device code flow against the emulator (it approves the dev user).
  const device = await postForm(`${authority}/oauth2/v2.0/devicecode`, {
    client_id: clientId,
    scope: metadata.ccgate_entra.scope,
  });
  assertEquals(device.status, 200);
  const entraToken = await postForm(`${authority}/oauth2/v2.0/token`, {
    grant_type: "urn:ietf:params:oauth:grant-type:device_code",
    client_id: clientId,
    device_code: device.body.device_code,
  });
  assertEquals(entraToken.status, 200);

  // 3. Exchange it for a ccgate session.
  const exchanged = await postForm(metadata.token_endpoint, {
    grant_type: TOKEN_EXCHANGE_GRANT,
    subject_token: entraToken.body.access_token,
    subject_token_type: ACCESS_TOKEN_TYPE,
    client_id: clientId,
  });
  assertEquals(exchanged.status, 200);
  const accessToken = exchanged.body.access_token as string;

  // 4. The gateway accepts it.
  bedrock.enqueue(textAnswer("Hello from Bedrock"));
  const messages = () =>
    fetch(`${url}/v1/messages`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${accessToken}`,
        "content-type": "application/json",
        "anthropic-version": "2023-06-01",
      },
      body: JSON.stringify({
        model: "claude-sonnet-4-5-20250929",
        max_tokens: 64,
        messages: [{ role: "user", content: "Say hello" }],
      }),
    });
  const answer = await messages();
  assertEquals(answer.status, 200);
  const message = await answer.json();
  assertEquals(message.content[0].text, "Hello from Bedrock");

  // 5. Logout: the same token is refused by the gateway (in process: at once).
  const logout = await fetch(`${url}/oauth/revoke`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token: exchanged.body.refresh_token }),
  });
  assertEquals(logout.status, 200);
  await logout.body?.cancel();
  const refused = await messages();
  assertEquals(refused.status, 401);
  assertEquals((await refused.json()).error.type, "authentication_error");

  // No token in any log line.
  const logText = JSON.stringify(logs);
  for (const token of [entraToken.body.access_token, accessToken, exchanged.body.refresh_token]) {
    assert(!logText.includes(token), "a token appears in the logs");
  }
});
