import type { DoctorCheck } from "@ccgate/installer";
import { assertEquals, assertStringIncludes } from "../../testing/assert.ts";
import { startAuthStack } from "../../testing/auth_stack.ts";
import { closedPort } from "../../testing/closed_port.ts";
import { withTempDir } from "../../testing/with_temp_dir.ts";
import { refusingGateway } from "../_testing/refusing_gateway.ts";
import { seedFileSession } from "../_testing/seed_file_session.ts";
import { saveCliConfig } from "./cli_config.ts";
import { CORRUPT_CONFIGS } from "./_corrupt_configs.ts";
import { capturedDeps } from "./_fake_deps.ts";
import { runCli } from "./run_cli.ts";

Deno.test("doctorCommand() reports a corrupt config.json as a failed check naming it and the fix, and runs the others", async () => {
  await withTempDir(async (home) => {
    const dir = `${home}/.config/ccgate`;
    await Deno.mkdir(dir, { recursive: true });
    const env = {
      HOME: home,
      CCGATE_CONFIG_DIR: dir,
      CCGATE_URL: "http://127.0.0.1:1",
      PATH: "/nonexistent",
    };
    for (const [text, problem] of CORRUPT_CONFIGS) {
      await Deno.writeTextFile(`${dir}/config.json`, text);
      const json = capturedDeps(env);
      assertEquals(await runCli(["doctor", "--json"], json), 8, json.err.join(""));
      const report = JSON.parse(json.out.join(""));
      assertEquals(report.ok, false);
      assertEquals(report.checks[0], {
        id: "config",
        status: "fail",
        message: `Cannot read "${dir}/config.json": ${problem}`,
        fix: "run `ccgate login --url http://127.0.0.1:1` to rewrite it",
      });
      const session = report.checks.find((c: { id: string }) => c.id === "session");
      assertEquals(
        session.message,
        "cannot read the session: its store is unknown while config.json cannot be read (see config)",
      );
      const ids = report.checks.map((c: { id: string }) => c.id);
      for (const id of ["settings", "session", "gateway", "auth", "claude-code"]) {
        assertEquals(ids.includes(id), true, `${id} is checked too`);
      }

      const printed = capturedDeps(env);
      assertEquals(await runCli(["doctor"], printed), 8);
      assertStringIncludes(
        printed.out.join(""),
        `FAIL config: Cannot read "${dir}/config.json": ${problem}`,
      );
      assertEquals(printed.err, []);
    }
  });
});

Deno.test("runCli() doctor --url, else CCGATE_URL, else the server signed in to; the session's token goes only to that one", async () => {
  await using stack = await startAuthStack();
  await using signedIn = refusingGateway();
  await using other = refusingGateway();
  await withTempDir(async (home) => {
    const dir = `${home}/.config/ccgate`;
    await Deno.mkdir(dir, { recursive: true });
    const down = `http://127.0.0.1:${closedPort()}`;
    const doctor = async (args: string[], env: Record<string, string> = {}) => {
      const deps = capturedDeps({
        HOME: home,
        CCGATE_CONFIG_DIR: dir,
        PATH: "/nonexistent",
        ...env,
      });
      const code = await runCli(["doctor", "--json", ...args], deps);
      const checks: Record<string, DoctorCheck | undefined> = code === 2 ? {} : Object.fromEntries(
        JSON.parse(deps.out.join("")).checks.map((c: DoctorCheck) => [c.id, c]),
      );
      return { code, err: deps.err.join(""), checks };
    };
    // Before signing in: --url beats CCGATE_URL.
    const before = await doctor(["--url", down], { CCGATE_URL: other.url });
    assertEquals(before.code, 8);
    assertEquals(
      before.checks.gateway?.message,
      `gateway ${down}/healthz unreachable (connection refused)`,
    );
    assertEquals(before.checks.session?.fix, `run \`ccgate login --url ${down}\``);
    assertEquals(
      (await doctor(["--url", "http://user:pw@127.0.0.1:1"])).err,
      "ccgate: Invalid --url: the URL must not carry a user name or password\n",
    );

    await seedFileSession(stack, dir, { config: false });
    await saveCliConfig(dir, { url: stack.url, gatewayUrl: signedIn.url, store: "file" });
    // CCGATE_URL beats config.json: another server is checked, and not sent the token.
    const elsewhere = await doctor([], { CCGATE_URL: other.url });
    assertEquals(elsewhere.checks.gateway?.message, `gateway ${other.url}/healthz reachable`);
    assertEquals(elsewhere.checks.token, undefined);
    assertEquals(other.authorizations, []);
    // The signed-in server's gateway URL names it: its gateway is asked about the token.
    const same = await doctor(["--url", signedIn.url], { CCGATE_URL: other.url });
    assertEquals(
      same.checks.auth?.message,
      `auth service ${stack.url}/.well-known/oauth-authorization-server reachable`,
    );
    assertEquals(same.checks.token?.status, "fail");
    assertEquals(signedIn.authorizations.length, 1);
    assertEquals(other.authorizations, []);
  });
});
