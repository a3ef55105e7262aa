/**
 * The CLI against the split deployment: `auth/main.ts` and `gateway/main.ts`
 * as two processes. A developer given either URL ends up signed in to the
 * auth service with the gateway as the gateway. And `main.ts`, both in one,
 * names itself as the gateway.
 */
import { assert, assertEquals, assertStringIncludes } from "../../testing/assert.ts";
import { freePort, startEntry } from "../../testing/entry_process.ts";
import { runCliProcess } from "../_testing/cli.ts";

interface DoctorCheck {
  id: string;
  status: string;
  message: string;
}

Deno.test("ccgate login, status and doctor work from the gateway's URL and from the auth service's, with auth/main.ts and gateway/main.ts apart", async () => {
  const authPort = freePort();
  const gatewayPort = freePort();
  const auth = `http://127.0.0.1:${authPort}`;
  const gateway = `http://127.0.0.1:${gatewayPort}`;
  await using _auth = await startEntry("auth/main.ts", {
    PORT: String(authPort),
    CCGATE_ISSUER: auth,
    CCGATE_GATEWAY_URL: gateway,
  }, /listening on/);
  await using gatewayProcess = await startEntry("gateway/main.ts", {
    PORT: String(gatewayPort),
    CCGATE_ISSUER: auth,
  }, /listening on/);

  for (const given of [gateway, auth]) {
    const dir = await Deno.makeTempDir();
    const env = { CCGATE_CONFIG_DIR: dir, CCGATE_STORE: "file" };
    try {
      const login = await runCliProcess(["login", "--device-code", "--url", given], env);
      assertEquals(login.code, 0, `login --url ${given}: ${login.stderr}`);
      assertStringIncludes(login.stdout, `Signed in to ${given} as Dev User`);
      const config = JSON.parse(await Deno.readTextFile(`${dir}/config.json`));
      assertEquals({ url: config.url, gatewayUrl: config.gatewayUrl }, {
        url: auth,
        gatewayUrl: gateway,
      });

      const status = await runCliProcess(["status", "--json"], env);
      assertEquals(status.code, 0, status.stderr);
      const report = JSON.parse(status.stdout);
      assertEquals(report.url, auth);
      assertEquals(report.gateway, { url: gateway, reachable: true, status: 200 });
      const text = await runCliProcess(["status"], env);
      assertStringIncludes(text.stdout, `Gateway: ${gateway} reachable`);

      // Not installed here (settings, schedule, Claude Code fail): the gateway, token and auth pass.
      const doctor = await runCliProcess(["doctor", "--json"], env);
      const checks: DoctorCheck[] = JSON.parse(doctor.stdout).checks;
      const check = (id: string) => checks.find((c) => c.id === id);
      assertEquals(check("gateway"), {
        id: "gateway",
        status: "pass",
        message: `gateway ${gateway}/healthz reachable`,
      }, gatewayProcess.output());
      assertEquals(check("token"), {
        id: "token",
        status: "pass",
        message: "the gateway accepts the access token",
      });
      assertEquals(check("auth"), {
        id: "auth",
        status: "pass",
        message: `auth service ${auth}/.well-known/oauth-authorization-server reachable`,
      });

      // The token goes to the gateway, which takes it.
      const token = (await runCliProcess(["token"], env)).stdout.trim();
      const models = await fetch(`${gateway}/v1/models`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assertEquals(models.status, 200);
      assert(Array.isArray((await models.json()).data));

      // Claude Code goes to the gateway, whichever URL install is given.
      const home = `${dir}/home`;
      await Deno.mkdir(home);
      const install = await runCliProcess(["install", "--url", given, "--no-schedule"], {
        ...env,
        HOME: home,
      });
      assertEquals(install.code, 0, install.stderr);
      const settings = JSON.parse(await Deno.readTextFile(`${home}/.claude/settings.json`));
      assertEquals(settings.env.ANTHROPIC_BASE_URL, gateway);
      assertStringIncludes(install.stderr, `Claude Code now goes through ${gateway}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
});

Deno.test("main.ts names itself as the gateway in its metadata, or CCGATE_GATEWAY_URL when set", async () => {
  for (const setting of [undefined, "https://gateway.example.com"]) {
    const port = freePort();
    const url = `http://127.0.0.1:${port}`;
    await using _main = await startEntry("main.ts", {
      PORT: String(port),
      ...(setting !== undefined ? { CCGATE_GATEWAY_URL: setting } : {}),
    }, /Sign in:/);
    const metadata = await (await fetch(`${url}/.well-known/oauth-authorization-server`)).json();
    assertEquals(metadata.issuer, url);
    assertEquals(metadata.ccgate_gateway_url, setting ?? url);
  }
});
