/**
 * `/readyz` of `gateway/main.ts` over real sockets: ready while any Bedrock
 * region answers and while the auth service's keys are usable, and 503
 * "draining" from SIGTERM on while requests are still served.
 */
import { startBedrockEmulator } from "@ccgate/emulators";
import { assert, assertEquals, assertMatch } from "../testing/assert.ts";
import { freePort, startEntry } from "../testing/entry_process.ts";

function start(entry: string, env: Record<string, string>, ready: RegExp) {
  return startEntry(entry, env, ready, "SIGKILL");
}

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

Deno.test("gateway/main.ts /readyz stays ready with one Bedrock region down and the auth service down, and says draining on SIGTERM", async () => {
  await using westEmulator = await startBedrockEmulator();
  const deadEast = `http://127.0.0.1:${freePort()}`;
  const authPort = freePort();
  const authUrl = `http://127.0.0.1:${authPort}`;
  await using auth = await start("auth/main.ts", {
    PORT: String(authPort),
    CCGATE_ISSUER: authUrl,
  }, /LOCAL ENTRA ID EMULATOR/);
  const gatewayPort = freePort();
  await using gateway = await start("gateway/main.ts", {
    PORT: String(gatewayPort),
    CCGATE_ISSUER: authUrl,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "AKIDEMULATOR",
    AWS_SECRET_ACCESS_KEY: "emulator-secret",
    CCGATE_BEDROCK_REGIONS: "us-east-1,us-west-2",
    CCGATE_BEDROCK_ENDPOINTS: `us-east-1=${deadEast},us-west-2=${westEmulator.url}`,
    CCGATE_DRAIN_DELAY_MS: "600000",
  }, /listening on/);
  const readyz = async () => {
    const response = await fetch(`http://127.0.0.1:${gatewayPort}/readyz`);
    const body = await response.json() as { status: string; checks: Check[] };
    const byName = Object.fromEntries(body.checks.map((c) => [c.name, c]));
    return { status: response.status, body, byName };
  };
  const pause = () => new Promise((resolve) => setTimeout(resolve, 50));
  let ready = await readyz();
  for (let i = 0; i < 200 && ready.status !== 200; i++) {
    await pause();
    ready = await readyz();
  }
  assertEquals(ready.status, 200, JSON.stringify(ready.body) + gateway.output());
  assertEquals(Object.keys(ready.byName).sort(), [
    "auth",
    "bedrock",
    "kv",
    "lifecycle",
    "revocations",
  ]);
  const bedrock = ready.byName.bedrock!;
  assertEquals(bedrock.ok, true);
  assertMatch(
    bedrock.detail,
    // The cause is named (refused here), not just the error class.
    /^1 of 2 regions reachable: us-east-1: Cannot reach http:\/\/127\.0\.0\.1:\d+\/?: TypeError: [^;]*Connection refused[^;]*; us-west-2: reachable$/,
  );
  assertEquals(ready.byName.kv!.detail, "reachable");

  // The auth service goes down: the gateway still holds usable keys, so it stays ready.
  await auth.stop();
  const authDown = await readyz();
  assertEquals(authDown.byName.auth!.ok, true, JSON.stringify(authDown.byName.auth));
  assertMatch(authDown.byName.auth!.detail, /^\d+ keys? fetched [\d.]+ s ago$/);

  // SIGTERM: /readyz answers 503 "draining" while requests are still served (the delay is long).
  gateway.kill("SIGTERM");
  let draining = await readyz();
  for (let i = 0; i < 200 && draining.byName.lifecycle!.ok; i++) {
    await pause();
    draining = await readyz();
  }
  assertEquals(draining.status, 503);
  assertEquals(draining.byName.lifecycle, {
    name: "lifecycle",
    ok: false,
    detail: "draining: shutting down",
  });
  const health = await fetch(`http://127.0.0.1:${gatewayPort}/healthz`);
  assertEquals(await health.json(), { status: "ok" });
  // A second SIGTERM does not start the shutdown again.
  gateway.kill("SIGTERM");
  assertEquals((await readyz()).status, 503);
  await gateway.stop("SIGKILL");
  assert(!/"msg":"drained"/.test(gateway.output()), gateway.output());
});
