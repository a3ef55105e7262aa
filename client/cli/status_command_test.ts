import { assertEquals, assertStringIncludes } from "../../testing/assert.ts";
import { startAuthStack } from "../../testing/auth_stack.ts";
import { closedPort } from "../../testing/closed_port.ts";
import { withTempDir } from "../../testing/with_temp_dir.ts";
import { seedFileSession } from "../_testing/seed_file_session.ts";
import { capturedDeps } from "./_fake_deps.ts";
import { runCli } from "./run_cli.ts";

/** A gateway that is up and refuses every token, as one does after its session was revoked. */
function refusingGateway() {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    if (new URL(req.url).pathname === "/healthz") return Response.json({ status: "ok" });
    const error = {
      type: "authentication_error",
      message: "Invalid access token: the session was revoked",
    };
    return Response.json({ type: "error", error }, { status: 401 });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

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
