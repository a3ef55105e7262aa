import { assertEquals, assertStringIncludes } from "../../testing/assert.ts";
import { startAuthStack } from "../../testing/auth_stack.ts";
import { closedPort } from "../../testing/closed_port.ts";
import { withTempDir } from "../../testing/with_temp_dir.ts";
import { refusingGateway } from "../_testing/refusing_gateway.ts";
import { serve } from "../_testing/serve.ts";
import { seedFileSession } from "../_testing/seed_file_session.ts";
import { capturedDeps } from "./_fake_deps.ts";
import { runCli } from "./run_cli.ts";

Deno.test("runCli() status says when the gateway refuses the session's token (exit 3), and 'expired' without 'expires'", async () => {
  await using stack = await startAuthStack();
  await using gateway = refusingGateway();
  const dir = await Deno.makeTempDir();
  try {
    const env = { CCGATE_CONFIG_DIR: dir, CCGATE_STORE: "file" };
    const entraToken = await stack.entra.mintAccessToken({ user: { oid: "oid-ann" } });
    const az = (command: string) =>
      command === "az"
        ? { stdout: JSON.stringify({ accessToken: entraToken, expires_on: 1893456000 }) }
        : "missing" as const;
    assertEquals(
      await runCli(["login", "--azure-cli", "--url", stack.url], capturedDeps(env, az)),
      0,
    );
    const config = JSON.parse(await Deno.readTextFile(`${dir}/config.json`));
    await Deno.writeTextFile(
      `${dir}/config.json`,
      JSON.stringify({ ...config, gatewayUrl: gateway.url }),
    );

    const status = capturedDeps(env);
    assertEquals(await runCli(["status"], status), 3);
    assertStringIncludes(
      status.out.join(""),
      "The gateway refuses this session's token (Invalid access token: the session was revoked): run `ccgate login`",
    );
    const json = capturedDeps(env);
    assertEquals(await runCli(["status", "--json"], json), 3);
    assertEquals(
      JSON.parse(json.out.join("")).gateway.refusedToken,
      "Invalid access token: the session was revoked",
    );

    const session = JSON.parse(await Deno.readTextFile(`${dir}/session.json`));
    await Deno.writeTextFile(
      `${dir}/session.json`,
      JSON.stringify({ ...session, expiresAt: Date.now() - 60_000 }),
    );
    const expired = capturedDeps(env);
    await runCli(["status"], expired);
    assertStringIncludes(expired.out.join(""), "Access token: expired (");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runCli() status says 'expires in less than 1 min' until the token has expired, and why the gateway is unreachable", async () => {
  await using stack = await startAuthStack();
  await withTempDir(async (dir) => {
    await seedFileSession(stack, dir);
    const down = `http://127.0.0.1:${closedPort()}`;
    const config = JSON.parse(await Deno.readTextFile(`${dir}/config.json`));
    await Deno.writeTextFile(`${dir}/config.json`, JSON.stringify({ ...config, gatewayUrl: down }));
    const { expiresAt } = JSON.parse(await Deno.readTextFile(`${dir}/session.json`));
    const at = (ms: number) => ({
      ...capturedDeps({ CCGATE_CONFIG_DIR: dir }),
      now: () => new Date(expiresAt - ms),
    });
    const soon = at(20_000);
    assertEquals(await runCli(["status"], soon), 0);
    const out = soon.out.join("");
    assertStringIncludes(out, "Access token: expires in less than 1 min (");
    assertStringIncludes(out, `Gateway: ${down} unreachable (connection refused)\n`);
    const gone = at(0);
    await runCli(["status"], gone);
    assertStringIncludes(gone.out.join(""), "Access token: expired (");
  });
});

Deno.test("runCli() status --url, else CCGATE_URL, probes that gateway before signing in (exit 2 for a URL it cannot use)", async () => {
  await withTempDir(async (dir) => {
    const down = `http://127.0.0.1:${closedPort()}`;
    const other = `${down}/behind-a-proxy`;
    const status = async (args: string[], env: Record<string, string> = {}) => {
      const deps = capturedDeps({ CCGATE_CONFIG_DIR: dir, ...env });
      const code = await runCli(["status", ...args], deps);
      return { code, out: deps.out.join(""), err: deps.err.join("") };
    };
    const expected = (url: string) =>
      `Not signed in: run \`ccgate login --url ${url}\`\nGateway: ${url} unreachable (connection refused)\n`;
    assertEquals(await status(["--url", `${down}/`]), { code: 3, out: expected(down), err: "" });
    assertEquals(await status([], { CCGATE_URL: other }), {
      code: 3,
      out: expected(other),
      err: "",
    });
    assertEquals(await status(["--url", down], { CCGATE_URL: other }), {
      code: 3,
      out: expected(down),
      err: "",
    });
    assertEquals(await status(["--url", "ftp://ccgate.example.com", "--json"]), {
      code: 2,
      out: "",
      err:
        'ccgate: Invalid --url: "ftp://ccgate.example.com/" must start with https:// (or http:// for a local one)\n',
    });
  });
});

Deno.test("runCli() status --url sends the session's token only to the server signed in to", async () => {
  await using stack = await startAuthStack();
  await using signedIn = refusingGateway();
  await using other = refusingGateway();
  await withTempDir(async (dir) => {
    await seedFileSession(stack, dir);
    const config = JSON.parse(await Deno.readTextFile(`${dir}/config.json`));
    await Deno.writeTextFile(
      `${dir}/config.json`,
      JSON.stringify({ ...config, gatewayUrl: signedIn.url }),
    );
    const env = { CCGATE_CONFIG_DIR: dir, CCGATE_URL: other.url };
    // Another server: its gateway is probed, and not sent the token.
    const elsewhere = capturedDeps(env);
    assertEquals(await runCli(["status"], elsewhere), 0);
    assertStringIncludes(elsewhere.out.join(""), `Gateway: ${other.url} reachable\n`);
    assertEquals(other.authorizations, []);
    // The auth service's URL signed in to names the same server: its gateway is asked about the token.
    const same = capturedDeps(env);
    assertEquals(await runCli(["status", "--url", stack.url], same), 3);
    assertStringIncludes(same.out.join(""), `Gateway: ${signedIn.url} reachable\n`);
    assertStringIncludes(same.out.join(""), "The gateway refuses this session's token");
    assertEquals(signedIn.authorizations.length, 1);
    assertEquals(other.authorizations, []);
  });
});

Deno.test("runCli() status --url with a split deployment's auth service URL probes the gateway it publishes", async () => {
  await using gateway = serve(() => Response.json({ status: "ok" }));
  await using auth = serve((request) => {
    const origin = new URL(request.url).origin;
    return Response.json({
      issuer: origin,
      token_endpoint: `${origin}/oauth/token`,
      ccgate_gateway_url: gateway.url,
    });
  });
  await withTempDir(async (dir) => {
    const deps = capturedDeps({ CCGATE_CONFIG_DIR: dir });
    const code = await runCli(["status", "--url", auth.url], deps);
    assertEquals(code, 3);
    // The login hint names the auth service, the probe the gateway it publishes.
    assertEquals(
      deps.out.join(""),
      `Not signed in: run \`ccgate login --url ${auth.url}\`\nGateway: ${gateway.url} reachable\n`,
    );
    assertEquals(gateway.requests.map((r) => r.path), ["/healthz"]);
    assertEquals(auth.requests.map((r) => r.path), ["/.well-known/oauth-authorization-server"]);
  });
});
