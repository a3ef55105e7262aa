/**
 * A separately deployed gateway, cold, against the auth service's feed over
 * a real socket: a session revoked after more than 10,000 other revocations
 * (so on the last page) is refused.
 */
import { startBedrockEmulator } from "@ccgate/emulators";
import { assert, assertEquals } from "../testing/assert.ts";
import { createApp as createGatewayApp } from "../gateway/app.ts";
import { createBedrockClient } from "../gateway/bedrock_client.ts";
import { loadGatewayConfig } from "../gateway/config.ts";
import { startAuthFixture } from "./_testing.ts";
import { addRevocation } from "./revocation_feed.ts";
import { RevocationList } from "./revocation_list.ts";

Deno.test("a cold split gateway refuses a token whose revocation is on the feed's last page", async () => {
  await using f = await startAuthFixture();
  await using bedrock = await startBedrockEmulator();
  const controller = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: controller.signal, onListen: () => {} },
    (request) => f.app.fetch(request),
  );
  try {
    const at = f.clock.now().getTime();
    for (let i = 0; i < 10_050; i += 400) {
      const op = f.kv.atomic();
      for (let j = i; j < Math.min(10_050, i + 400); j++) {
        addRevocation(op, {
          sid: `filler-${j}`,
          revokedAt: at - 86_400_000 + j,
          expiresAt: at + 86_400_000,
        }, at);
      }
      assert((await op.commit()).ok);
    }
    const { access_token } = await f.signIn();
    const { sid } = await f.verify(access_token);
    const other = await f.signIn();
    f.clock.advance(600_000);
    assertEquals((await f.post("/oauth/revoke", { token: access_token })).status, 200);
    // Ten minutes later a gateway instance starts cold, as gateway/main.ts does it.
    f.clock.advance(600_000);
    using revocations = new RevocationList({
      url: `http://127.0.0.1:${server.addr.port}/oauth/revocations`,
      now: f.clock.now,
    });
    await revocations.refresh();
    const gateway = createGatewayApp({
      config: { ...loadGatewayConfig({ CCGATE_ISSUER: f.config.issuer }), issuer: f.config.issuer },
      bedrock: createBedrockClient({
        region: "us-east-1",
        endpoint: bedrock.url,
        credentials: { accessKeyId: "AKIDEMULATOR", secretAccessKey: "emulator-secret" },
      }),
      key: f.keys.getKey,
      isRevoked: (s) => revocations.isRevoked(s),
      now: f.clock.now,
      log: () => {},
    });
    const response = await gateway.fetch(
      new Request("http://gateway.test/v1/models", {
        headers: { authorization: `Bearer ${access_token}` },
      }),
    );
    assertEquals(response.status, 401);
    const kept = await gateway.fetch(
      new Request("http://gateway.test/v1/models", {
        headers: { authorization: `Bearer ${other.access_token}` },
      }),
    );
    assertEquals(kept.status, 200);
    await kept.body?.cancel();
    assertEquals((await response.json()).error.type, "authentication_error");
    assertEquals(revocations.size, 10_051);
    assert(revocations.isRevoked(sid));
    // A gateway that predates paging (no limit, ignores next) reads as much as it used to.
    const legacy = await (await f.app.request("/oauth/revocations?since=0")).json();
    assertEquals(legacy.revocations.length, 10_000);
    assertEquals(typeof legacy.next, "string");
  } finally {
    controller.abort();
    await server.finished;
  }
});
