/**
 * The split deployment: `auth/main.ts` and `gateway/main.ts` as two
 * processes, the gateway verifying with the auth service's JWKS and pulling
 * its revocation feed over HTTP.
 */
import { assertEquals } from "../testing/assert.ts";

const root = new URL("../", import.meta.url).pathname;

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

async function start(entry: string, env: Record<string, string>, ready: RegExp) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-env",
      "--allow-read",
      "--allow-write",
      "--allow-sys",
      entry,
    ],
    cwd: root,
    env: { NO_COLOR: "1", CCGATE_KV_PATH: ":memory:", ...env },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!ready.test(seen)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`${entry} exited: ${seen}`);
    seen += value;
  }
  const drained = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      seen += value;
    }
  })();
  return {
    output: () => seen,
    async [Symbol.asyncDispose]() {
      child.kill("SIGTERM");
      await child.status;
      await drained;
    },
  };
}

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
