/**
 * The split deployment: `auth/main.ts` and `gateway/main.ts` as two
 * processes, the gateway verifying with the auth service's JWKS and pulling
 * its revocation feed over HTTP.
 */
import { assertEquals } from "../testing/assert.ts";
import { freePort, startEntry as start } from "../testing/entry_process.ts";

const root = new URL("../", import.meta.url).pathname;

async function cli(args: string[], configDir: string): Promise<{ code: number; stdout: string }> {
  const task: string = JSON.parse(await Deno.readTextFile(`${root}deno.json`)).tasks.cli;
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...task.split(" ").slice(1), ...args],
    cwd: root,
    env: { CCGATE_CONFIG_DIR: configDir, NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stdout: new TextDecoder().decode(out.stdout) };
}

Deno.test("gateway/main.ts alone verifies auth/main.ts tokens over JWKS and honours its revocations", async () => {
  const authPort = freePort();
  const issuer = `http://127.0.0.1:${authPort}`;
  await using _auth = await start("auth/main.ts", {
    PORT: String(authPort),
    CCGATE_ISSUER: issuer,
  }, /LOCAL ENTRA ID EMULATOR/);
  const gatewayPort = freePort();
  await using gateway = await start("gateway/main.ts", {
    PORT: String(gatewayPort),
    CCGATE_ISSUER: issuer,
    CCGATE_REVOCATION_REFRESH_MS: "100",
  }, /listening on/);
  // The auth service answers once it is up; the CLI signs in against it.
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`${issuer}/.well-known/jwks.json`).then((r) =>
      r.body?.cancel().then(() => r.ok)
    ).catch(() => false);
    if (ok) break;
  }
  const configDir = await Deno.makeTempDir();
  try {
    assertEquals((await cli(["login", "--device-code", "--url", issuer], configDir)).code, 0);
    const token = (await cli(["token"], configDir)).stdout.trim();
    const call = () =>
      fetch(`http://127.0.0.1:${gatewayPort}/v1/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({
          model: "claude-sonnet-4-5",
          max_tokens: 16,
          messages: [{ role: "user", content: "Hi" }],
        }),
      });
    const ok = await call();
    assertEquals(ok.status, 200, gateway.output());
    assertEquals((await ok.json()).type, "message");

    assertEquals((await cli(["logout"], configDir)).code, 0);
    // The revocation reaches the gateway at its next pull of the feed (every 100 ms here).
    let status = 0;
    for (let attempt = 0; attempt < 200 && status !== 401; attempt++) {
      const response = await call();
      status = response.status;
      await response.body?.cancel();
    }
    assertEquals(status, 401);
  } finally {
    await Deno.remove(configDir, { recursive: true });
  }
});

Deno.test("gateway/main.ts /readyz checks CCGATE_JWKS_URL and the revocation feed, and answers 503 once the feed is stale", async () => {
  const authPort = freePort();
  const authUrl = `http://127.0.0.1:${authPort}`;
  const auth = await start("auth/main.ts", {
    PORT: String(authPort),
    CCGATE_ISSUER: authUrl,
  }, /LOCAL ENTRA ID EMULATOR/);
  let authStopped = false;
  try {
    const gatewayPort = freePort();
    await using gateway = await start("gateway/main.ts", {
      PORT: String(gatewayPort),
      // The issuer's own URL answers nothing: the keys and the feed are the configured URLs.
      CCGATE_ISSUER: `http://127.0.0.1:${freePort()}`,
      CCGATE_JWKS_URL: `${authUrl}/.well-known/jwks.json`,
      CCGATE_REVOCATIONS_URL: `${authUrl}/oauth/revocations`,
      CCGATE_REVOCATION_REFRESH_MS: "100",
      CCGATE_REVOCATION_STALE_MS: "1000",
    }, /listening on/);
    const readyz = async () => {
      const response = await fetch(`http://127.0.0.1:${gatewayPort}/readyz`);
      return { status: response.status, body: await response.json() };
    };
    const pause = () => new Promise((resolve) => setTimeout(resolve, 50));
    let ready = await readyz();
    for (let i = 0; i < 200 && ready.status !== 200; i++) {
      await pause();
      ready = await readyz();
    }
    assertEquals(ready.status, 200, JSON.stringify(ready.body) + gateway.output());
    const names = ready.body.checks.map((c: { name: string }) => c.name);
    assertEquals(names.includes("auth") && names.includes("revocations"), true, names.join());

    await auth[Symbol.asyncDispose]();
    authStopped = true;
    // The keys fetched stay usable (ready); the feed fails once its last pull is older than the bound.
    const feedOf = (r: { body: { checks: { name: string; ok: boolean; detail: string }[] } }) =>
      r.body.checks.find((c) => c.name === "revocations")!;
    let stale = await readyz();
    for (let i = 0; i < 400 && feedOf(stale).ok; i++) {
      await pause();
      stale = await readyz();
    }
    assertEquals(stale.status, 503);
    assertEquals(stale.body.status, "not_ready");
    const feed = feedOf(stale);
    assertEquals(feed.ok, false);
    assertEquals(stale.body.checks.find((c: { name: string }) => c.name === "auth").ok, true);
    assertEquals(/is stale: last pulled [\d.]+ s ago/.test(feed.detail), true, feed.detail);
  } finally {
    if (!authStopped) await auth[Symbol.asyncDispose]();
  }
});
