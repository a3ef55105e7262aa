import { assert, assertEquals, assertRejects, assertStringIncludes } from "../../testing/assert.ts";
import { type AuthStack, startAuthStack } from "../../testing/auth_stack.ts";
import { seedFileSession } from "../_testing/seed_file_session.ts";
import { serve } from "../_testing/serve.ts";
import { TokenRequestError } from "../errors.ts";
import { FileTokenStore } from "../file_token_store.ts";
import { refresh } from "../refresh.ts";
import { loadCliConfig } from "./cli_config.ts";
import { capturedDeps } from "./_fake_deps.ts";
import { runCli } from "./run_cli.ts";
import { withTempDir } from "../../testing/with_temp_dir.ts";
import { closedPort } from "../../testing/closed_port.ts";

/** A runner answering `az` with a fresh Entra token, and `secret-tool` with `secretTool`. */
async function azureCli(
  stack: AuthStack,
  secretTool: (args: string[]) => { code: number; stderr: string } | "missing" = () => "missing",
) {
  const entraToken = await stack.entra.mintAccessToken({ user: { oid: "oid-carol" } });
  return (command: string, args: string[]) => {
    if (command === "az") {
      return { stdout: JSON.stringify({ accessToken: entraToken, expires_on: 1893456000 }) };
    }
    if (command === "secret-tool") return secretTool(args);
    return "missing" as const;
  };
}

/** `ccgate login --azure-cli` with a file store in `dir`, which must fail with exit 6 and one line. */
async function failedLogin(stack: AuthStack, dir: string) {
  const deps = capturedDeps(
    { CCGATE_CONFIG_DIR: dir, CCGATE_STORE: "file" },
    await azureCli(stack),
  );
  assertEquals(await runCli(["login", "--azure-cli", "--url", stack.url], deps), 6);
  const err = deps.err.join("");
  assertEquals(err.trimEnd().split("\n").length, 1, err);
  return { deps, err };
}

Deno.test("loginCommand() fails before sign-in when session.json is a folder", async () => {
  await using stack = await startAuthStack();
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/session.json`);
    const { deps, err } = await failedLogin(stack, dir);
    assertStringIncludes(err, `"${dir}/session.json"`);
    assertStringIncludes(err, "move it away");
    assertEquals(deps.commands.filter((c) => c.command === "az"), [], "no sign-in started");
    assertEquals(stack.counts.exchange, 0);
  });
});

Deno.test("loginCommand() fails before sign-in when the config folder is a file", async () => {
  await using stack = await startAuthStack();
  await withTempDir(async (parent) => {
    const dir = `${parent}/ccgate`;
    await Deno.writeTextFile(dir, "not a folder");
    const { deps, err } = await failedLogin(stack, dir);
    assertStringIncludes(err, dir);
    assert(!err.includes("os error"), err);
    assertEquals(deps.commands.filter((c) => c.command === "az"), []);
    assertEquals(stack.counts.exchange, 0);
    assertEquals(await Deno.readTextFile(dir), "not a folder");
  });
});

Deno.test("loginCommand() revokes the new session when it cannot be stored", async () => {
  await using stack = await startAuthStack();
  await withTempDir(async (dir) => {
    // The Secret Service reads (nothing stored) but refuses writes: the keyring is locked.
    const runner = await azureCli(
      stack,
      (args) =>
        args[0] === "store"
          ? { code: 1, stderr: "Cannot create an item in a locked collection" }
          : {
            code: 1,
            stderr: "",
          },
    );
    const deps = capturedDeps({ CCGATE_CONFIG_DIR: dir, CCGATE_STORE: "secret-service" }, runner);
    assertEquals(await runCli(["login", "--azure-cli", "--url", stack.url], deps), 6);
    const err = deps.err.join("");
    assertEquals(err.trimEnd().split("\n").length, 1, err);
    assertStringIncludes(err, "the new session was ended on the server");
    assertEquals(stack.counts.exchange, 1);
    assertEquals(stack.counts.revoke, 1);
  });
});

/** An HTTP server that is not ccgate: every path answers `answer()`. */
function notCcgate(answer: () => Response) {
  const controller = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: controller.signal, onListen: () => {} },
    answer,
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}/team`,
    async [Symbol.asyncDispose]() {
      controller.abort();
      await server.finished;
    },
  };
}

Deno.test("loginCommand() exits 4 with one line naming the URL when it is not a ccgate server", async () => {
  const servers = [
    { answer: () => new Response("Not Found", { status: 404 }), why: "answered HTTP 404" },
    {
      answer: () =>
        new Response("<html>Welcome</html>", { headers: { "content-type": "text/html" } }),
      why: "is not JSON",
    },
  ];
  for (const { answer, why } of servers) {
    await using server = notCcgate(answer);
    await withTempDir(async (dir) => {
      const deps = capturedDeps({ CCGATE_CONFIG_DIR: dir, CCGATE_STORE: "file" });
      assertEquals(await runCli(["login", "--azure-cli", "--url", server.url], deps), 4);
      const err = deps.err.join("");
      assertEquals(err.trimEnd().split("\n").length, 1, err);
      assertStringIncludes(err, `"${server.url}" does not look like a ccgate server`);
      assertStringIncludes(err, why);
      assertEquals(deps.commands.filter((c) => c.command === "az"), [], "no sign-in started");
    });
  }
});

/** A Secret Service that holds nothing and takes what is stored. */
function emptySecretService(args: string[]) {
  return args[0] === "store" ? { code: 0, stderr: "" } : { code: 1, stderr: "" };
}

Deno.test("loginCommand() revokes the session of the store it moves away from", async () => {
  await using stack = await startAuthStack();
  await withTempDir(async (dir) => {
    await seedFileSession(stack, dir);
    const old = (await new FileTokenStore(`${dir}/session.json`).load())!;
    const deps = capturedDeps(
      { CCGATE_CONFIG_DIR: dir },
      await azureCli(stack, emptySecretService),
    );
    const args = ["login", "--azure-cli", "--url", stack.url, "--store", "secret-service"];
    assertEquals(await runCli(args, deps), 0, deps.err.join(""));
    assertEquals(stack.counts.revoke, 1);
    const refused = await assertRejects(
      () => refresh(`${stack.url}/oauth/token`, old.refreshToken!),
      TokenRequestError,
    );
    assertEquals(refused.code, "grant_invalid");
    assertEquals(await Deno.stat(`${dir}/session.json`).then(() => true, () => false), false);
    assertEquals((await loadCliConfig(dir))?.store, "secret-service");
    assertStringIncludes(deps.err.join(""), `"${dir}/session.json"`);
    assertStringIncludes(deps.err.join(""), "revoked");
  });
});

Deno.test("loginCommand() says when the session of the store it moves away from could not be revoked", async () => {
  await using stack = await startAuthStack();
  await withTempDir(async (dir) => {
    await seedFileSession(stack, dir);
    const store = new FileTokenStore(`${dir}/session.json`);
    // The auth service it was issued by is gone: nothing answers there.
    await store.save({ ...(await store.load())!, revocationEndpoint: "http://127.0.0.1:1/revoke" });
    const deps = capturedDeps(
      { CCGATE_CONFIG_DIR: dir },
      await azureCli(stack, emptySecretService),
    );
    const args = ["login", "--azure-cli", "--url", stack.url, "--store", "secret-service"];
    assertEquals(await runCli(args, deps), 0, deps.err.join(""));
    assertEquals(stack.counts.revoke, 0);
    assertEquals(await Deno.stat(`${dir}/session.json`).then(() => true, () => false), false);
    const err = deps.err.join("");
    assertStringIncludes(err, `"${dir}/session.json"`);
    assertStringIncludes(err, "could not be revoked");
  });
});

Deno.test("loginCommand() exits 4 saying so when Entra ID is unreachable", async () => {
  await using stack = await startAuthStack();
  await withTempDir(async (dir) => {
    const deps = capturedDeps({ CCGATE_CONFIG_DIR: dir, CCGATE_STORE: "file" });
    const authority = `http://127.0.0.1:${closedPort()}/t`;
    const args = ["login", "--device-code", "--url", stack.url, "--authority", authority];
    assertEquals(await runCli([...args, "--client-id", "cli", "--scope", "api://x/y"], deps), 4);
    const err = deps.err.join("");
    assertEquals(err.trimEnd().split("\n").length, 2, err); // the progress line, then why
    assertStringIncludes(err, "Entra ID is unreachable");
    assertEquals(stack.counts.exchange, 0);
  });
});

Deno.test("loginCommand() from a gateway's URL signs in to its auth service and keeps both URLs", async () => {
  await using stack = await startAuthStack();
  // A gateway deployed apart: its metadata names the auth service (gateway/main.ts).
  await using gateway = serve(() =>
    Response.json({ issuer: stack.url, ccgate_gateway_url: "http://gateway.internal" })
  );
  await withTempDir(async (dir) => {
    const deps = capturedDeps(
      { CCGATE_CONFIG_DIR: dir, CCGATE_STORE: "file" },
      await azureCli(stack),
    );
    assertEquals(
      await runCli(["login", "--azure-cli", "--url", `${gateway.url}/`], deps),
      0,
      deps.err.join(""),
    );
    assertStringIncludes(deps.out.join(""), `Signed in to ${gateway.url} as `);
    assertEquals(await loadCliConfig(dir), {
      url: stack.url,
      store: "file",
      gatewayUrl: gateway.url,
    });
    assertEquals(stack.counts.exchange, 1);
  });
});

Deno.test("loginCommand() keeps the gateway of the previous sign-in to an auth service that publishes none", async () => {
  await using stack = await startAuthStack();
  await using other = await startAuthStack();
  /** Signs in to `to` after a sign-in to `stack` that kept a gateway: the config.json it leaves. */
  const signInAfter = async (to: typeof stack, args: string[]) => {
    let config: Awaited<ReturnType<typeof loadCliConfig>>;
    await withTempDir(async (dir) => {
      await Deno.writeTextFile(
        `${dir}/config.json`,
        JSON.stringify({ url: stack.url, store: "file", gatewayUrl: "http://gateway.test" }),
      );
      const deps = capturedDeps(
        { CCGATE_CONFIG_DIR: dir, CCGATE_STORE: "file" },
        await azureCli(to),
      );
      assertEquals(await runCli(["login", "--azure-cli", ...args], deps), 0, deps.err.join(""));
      config = await loadCliConfig(dir);
    });
    return config;
  };
  assertEquals((await signInAfter(stack, []))?.gatewayUrl, "http://gateway.test");
  // Another auth service: the gateway kept is not its.
  assertEquals(await signInAfter(other, ["--url", other.url]), { url: other.url, store: "file" });
});

Deno.test("loginCommand() refuses a plain http URL to another host than this machine, sending nothing", async () => {
  await using stack = await startAuthStack();
  // A gateway deployed apart, reached as http://gateway.corp.example across the network.
  await using gateway = serve(() =>
    Response.json({ issuer: stack.url, ccgate_gateway_url: "http://gateway.corp.example" })
  );
  await withTempDir(async (dir) => {
    const deps = capturedDeps(
      { CCGATE_CONFIG_DIR: dir, CCGATE_STORE: "file" },
      await azureCli(stack),
    );
    const asked: string[] = [];
    deps.fetch = (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      asked.push(url.origin);
      const to = url.hostname === "gateway.corp.example" ? gateway.url : url.origin;
      return fetch(`${to}${url.pathname}${url.search}`, init);
    };
    const code = await runCli(
      ["login", "--azure-cli", "--url", "http://gateway.corp.example"],
      deps,
    );
    // Claude Code would send every access token there unencrypted, and the sign-in its
    // Entra token to whatever answers for that host.
    assertEquals(code, 2, deps.out.join(""));
    const err = deps.err.join("");
    assertEquals(err.trimEnd().split("\n").length, 1, err);
    assertStringIncludes(err, '"http://gateway.corp.example/" is plain http');
    assertStringIncludes(err, "https://");
    assertEquals(asked, []);
    assertEquals(stack.counts.exchange, 0);
    assertEquals(await loadCliConfig(dir), undefined);
  });
});
