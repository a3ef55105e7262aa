/**
 * End to end across real sockets: device-code sign-in against the Entra
 * emulator → RFC 8693 exchange at the auth service → the ccgate token works
 * on the gateway's `/v1/messages` (Bedrock emulator behind it) → logout →
 * the gateway refuses it.
 */
import { startBedrockEmulator, startEntraEmulator, textAnswer } from "@ccgate/emulators";
import { composeApp } from "../compose_app.ts";
import { createApp as createGatewayApp } from "../gateway/app.ts";
import { createBedrockClient } from "../gateway/bedrock_client.ts";
import { loadGatewayConfig } from "../gateway/config.ts";
import { assert, assertEquals } from "../testing/assert.ts";
import { createApp } from "./app.ts";
import { ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT } from "./authorization_server_metadata.ts";
import { loadAuthConfig } from "./config.ts";
import { RevocationList } from "./revocation_list.ts";
import { openSigningKeys } from "./signing_keys.ts";

async function postForm(url: string, form: Record<string, string>) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: await response.json() };
}

Deno.test("device-code sign-in, exchange, then the token works on the gateway's /v1/messages", async () => {
  await using entra = await startEntraEmulator({ pollIntervalSeconds: 0, log: () => {} });
  await using bedrock = await startBedrockEmulator();
  using kv = await Deno.openKv(":memory:");
  const logs: object[] = [];
  const log = (record: object) => logs.push(record);
  const now = () => new Date();

  let handler: (request: Request, info: Deno.ServeHandlerInfo) => Response | Promise<Response> =
    () => new Response("starting", { status: 503 });
  await using server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    (request, info) => handler(request, info),
  );
  const url = `http://127.0.0.1:${server.addr.port}`;
  const authConfig = loadAuthConfig({ ...entra.env, CCGATE_ISSUER: url });
  const keys = await openSigningKeys(kv, { now });
  using revocations = new RevocationList({ kv, now });
  await revocations.refresh();
  const auth = createApp({ kv, keys, config: authConfig, now, fetch, log, revocations });
  const gatewayConfig = loadGatewayConfig({
    CCGATE_ISSUER: url,
    AWS_REGION: "us-east-1",
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.url,
  });
  const gateway = createGatewayApp({
    config: { ...gatewayConfig, issuer: authConfig.issuer },
    bedrock: createBedrockClient({
      region: "us-east-1",
      endpoint: bedrock.url,
      credentials: { accessKeyId: "AKIDEMULATOR", secretAccessKey: "emulator-secret" },
    }),
    key: keys.getKey,
    isRevoked: (sid) => revocations.isRevoked(sid),
    now,
    log: (record) => logs.push(record),
  });
  handler = composeApp(auth, gateway);

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
