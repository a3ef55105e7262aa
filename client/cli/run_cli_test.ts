import { assert, assertEquals, assertStringIncludes } from "../../testing/assert.ts";
import { startAuthStack } from "../../testing/auth_stack.ts";
import { capturedDeps } from "./_fake_deps.ts";
import { runCli } from "./run_cli.ts";
import { withTempDir } from "../../testing/with_temp_dir.ts";

Deno.test("runCli() prints help with the exit codes for every command", async () => {
  for (
    const args of [
      ["--help"],
      ...["login", "token", "refresh", "status", "logout"].map((c) => [c, "--help"]),
    ]
  ) {
    const deps = capturedDeps({});
    assertEquals(await runCli(args, deps), 0, args.join(" "));
    const text = deps.out.join("");
    assertStringIncludes(text, "Usage: ccgate");
    assertStringIncludes(text, "3  sign-in needed: run `ccgate login`");
  }
});

Deno.test("runCli() exits 2 with one line on unknown options and commands", async () => {
  for (
    const args of [["login", "--bogus"], ["frobnicate"], ["login", "--device-code", "--browser"]]
  ) {
    const deps = capturedDeps({});
    assertEquals(await runCli(args, deps), 2, args.join(" "));
    assertEquals(deps.err.join("").trimEnd().split("\n").length, 1, deps.err.join(""));
  }
  const none = capturedDeps({});
  assertEquals(await runCli([], none), 2);
});

Deno.test("runCli() login without a ccgate URL is a usage error", async () => {
  await withTempDir(async (dir) => {
    const deps = capturedDeps({ CCGATE_CONFIG_DIR: dir });
    assertEquals(await runCli(["login", "--device-code"], deps), 2);
    assertEquals(deps.err.join(""), "ccgate: Cannot sign in: no ccgate URL; pass --url <url>\n");
  });
});

Deno.test("runCli() status, refresh and logout without a session", async () => {
  await withTempDir(async (dir) => {
    const status = capturedDeps({ CCGATE_CONFIG_DIR: dir });
    assertEquals(await runCli(["status", "--json"], status), 3);
    assertEquals(JSON.parse(status.out.join("")), { signedIn: false });
    const refresh = capturedDeps({ CCGATE_CONFIG_DIR: dir });
    assertEquals(await runCli(["refresh"], refresh), 3);
    const logout = capturedDeps({ CCGATE_CONFIG_DIR: dir });
    assertEquals(await runCli(["logout"], logout), 0);
    assertEquals(logout.err.join(""), "Not signed in.\n");
  });
});

Deno.test("runCli() shows a stack trace only with --debug", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/config.json`, "{broken");
    const plain = capturedDeps({ CCGATE_CONFIG_DIR: dir });
    assertEquals(await runCli(["status"], plain), 6);
    assertEquals(plain.err.length, 1);
    const debug = capturedDeps({ CCGATE_CONFIG_DIR: dir });
    assertEquals(await runCli(["status", "--debug"], debug), 6);
    assertStringIncludes(debug.err.join(""), "    at ");
  });
});

Deno.test("runCli() login --azure-cli, status, token, refresh, logout against the auth service", async () => {
  await using stack = await startAuthStack();
  const entraToken = await stack.entra.mintAccessToken({
    user: { oid: "oid-bob", name: "Bob Example", preferred_username: "bob@example.com" },
  });
  await withTempDir(async (dir) => {
    const env = { CCGATE_CONFIG_DIR: dir, CCGATE_STORE: "file" };
    const az = (command: string, args: string[]) => {
      if (command !== "az") return "missing" as const;
      assertEquals(args, [
        "account",
        "get-access-token",
        "--scope",
        stack.entra.scope,
        "--output",
        "json",
        "--tenant",
        stack.entra.tenantId,
      ]);
      return { stdout: JSON.stringify({ accessToken: entraToken, expires_on: 1893456000 }) };
    };
    const login = capturedDeps(env, az);
    assertEquals(
      await runCli(["login", "--azure-cli", "--url", stack.url], login),
      0,
      login.err.join(""),
    );
    assertEquals(
      login.out.join(""),
      `Signed in to ${stack.url} as Bob Example <bob@example.com>\n`,
    );
    assertEquals((await Deno.stat(`${dir}/session.json`)).mode! & 0o777, 0o600);

    const status = capturedDeps(env);
    assertEquals(await runCli(["status", "--json"], status), 0);
    const report = JSON.parse(status.out.join(""));
    assertEquals(report.signedIn, true);
    assertEquals(report.identity.sub, "oid-bob");
    assertEquals(report.store.kind, "file");
    assertEquals(report.gateway.reachable, false, "the auth service alone has no /healthz");

    const human = capturedDeps(env);
    assertEquals(await runCli(["status"], human), 0);
    assertStringIncludes(human.out.join(""), "Token store: file");
    assert(!human.out.join("").includes("\x1b["), "no colour when not a terminal");

    const token = capturedDeps(env);
    assertEquals(await runCli(["token"], token), 0);
    assertEquals(token.err, []);
    assertEquals(token.out.length, 1);

    const refresh = capturedDeps(env);
    assertEquals(await runCli(["refresh", "--force"], refresh), 0);
    assertEquals(refresh.out, []);
    assertEquals(refresh.err, []);
    assertEquals(stack.counts.refresh, 1);

    const logout = capturedDeps(env);
    assertEquals(await runCli(["logout"], logout), 0, logout.err.join(""));
    assertEquals(stack.counts.revoke, 1);
    const after = capturedDeps(env);
    assertEquals(await runCli(["token"], after), 3);
  });
});
