/**
 * The README's steps, exactly: `deno task start` with no configuration, then
 * `deno task cli login`, then Claude Code with `ccgate token` as its
 * apiKeyHelper — a streamed answer from the local stack.
 */
import { claudeCodeSettings } from "@ccgate/installer";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./testing/assert.ts";
import { runClaudeCode } from "./testing/claude_code.ts";

const root = new URL("./", import.meta.url).pathname;
const denoJson = JSON.parse(await Deno.readTextFile(`${root}deno.json`));

/** The `deno run` arguments of a task in the root deno.json. */
function taskArgs(name: string): string[] {
  return (denoJson.tasks[name] as string).split(" ").slice(1);
}

async function startMain(env: Record<string, string>) {
  const child = new Deno.Command(Deno.execPath(), {
    args: taskArgs("start"),
    cwd: root,
    env: { PORT: "0", CCGATE_KV_PATH: ":memory:", NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let banner = "";
  while (!/listening on (http:\/\/\S+)/.test(banner)) {
    const { value, done } = await reader.read();
    if (done) break;
    banner += value;
  }
  const url = /listening on (http:\/\/\S+)/.exec(banner)?.[1];
  // Keep draining stderr so the server never blocks on a full pipe.
  const drained = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      banner += value;
    }
  })();
  return {
    url,
    banner: () => banner,
    async [Symbol.asyncDispose]() {
      child.kill("SIGTERM");
      await child.status;
      await drained;
    },
  };
}

Deno.test("main.ts with no configuration serves gateway and auth with emulators, announced", async () => {
  await using main = await startMain({});
  assert(main.url, `no URL in the banner: ${main.banner()}`);
  assertStringIncludes(main.banner(), "EMULATED Entra ID");
  assertStringIncludes(main.banner(), "EMULATED Bedrock");
  const health = await fetch(`${main.url}/healthz`);
  assertEquals(await health.json(), { status: "ok" });
  const ready = await fetch(`${main.url}/readyz`);
  assertEquals(ready.status, 200);
  // The emulator answers the probe as Bedrock does (404 to an unsigned GET): plainly reachable.
  const bedrock = (await ready.json()).checks.find((c: { name: string }) => c.name === "bedrock");
  assertEquals(bedrock, {
    name: "bedrock",
    ok: true,
    detail: "1 of 1 regions reachable: us-east-1: reachable",
  });
  // A from-source developer runs the CLI as a task, as the README's steps do.
  assertStringIncludes(main.banner(), `  Sign in:  deno task cli login --url ${main.url}\n`);
  const metadata = await (await fetch(`${main.url}/.well-known/oauth-authorization-server`)).json();
  assertEquals(metadata.issuer, main.url.replace("0.0.0.0", "127.0.0.1"));
});

/** Runs `task start` until it stops: its exit code and its stderr, trimmed. */
async function mainExit(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: taskArgs("start"),
    cwd: root,
    env: { PORT: "0", CCGATE_KV_PATH: ":memory:", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr).trim() };
}

Deno.test("main.ts stops with one line naming a bad setting", async () => {
  assertEquals(await mainExit({ CCGATE_PING_INTERVAL_MS: "soon" }), {
    code: 1,
    stderr: "ccgate: Invalid setting CCGATE_PING_INTERVAL_MS: must be a whole number",
  });
});

Deno.test("main.ts stops with one line when its port is taken", async () => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (taken.addr as Deno.NetAddr).port;
  assertEquals(await mainExit({ PORT: String(port) }), {
    code: 1,
    stderr: `ccgate: 127.0.0.1:${port} is already in use: stop what listens there, or set PORT`,
  });
});

Deno.test("README steps: start, ccgate login, Claude Code with ccgate token gets a streamed answer", async () => {
  await using main = await startMain({});
  assert(main.url);
  const configDir = await Deno.makeTempDir({ prefix: "ccgate-readme-" });
  try {
    const cliEnv = {
      CCGATE_CONFIG_DIR: configDir,
      NO_COLOR: "1",
      PATH: Deno.env.get("PATH") ?? "",
    };
    const login = await new Deno.Command(Deno.execPath(), {
      args: [...taskArgs("cli"), "login", "--device-code", "--url", main.url],
      cwd: root,
      env: cliEnv,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const loginText = new TextDecoder().decode(login.stdout) +
      new TextDecoder().decode(login.stderr);
    assertEquals(login.code, 0, loginText);
    assertMatch(loginText, /Signed in to .* as Dev User/);

    const helper = `cd ${root} && CCGATE_CONFIG_DIR=${configDir} ${Deno.execPath()} ${
      taskArgs("cli").join(" ")
    } token`;
    const run = await runClaudeCode(
      "What is the capital of France?",
      claudeCodeSettings({ gatewayUrl: main.url, apiKeyHelper: helper }),
    );
    assertEquals(run.code, 0, run.stderr);
    assertStringIncludes(run.stdout, "Emulated answer to: What is the capital of France?");

    // A tool round: the emulator calls Claude Code's first tool once, then answers its result.
    const tools = await runClaudeCode(
      "[[tool_use]] try a tool",
      claudeCodeSettings({ gatewayUrl: main.url, apiKeyHelper: helper }),
      { extraArgs: ["--max-turns", "4"] }, // it called the tool on every turn, until killed
    );
    assertEquals(tools.code, 0, tools.stdout + tools.stderr);
    assertStringIncludes(tools.stdout, "Emulated answer to the tool results.");
    assert(!main.banner().includes(configDir), "no session path is logged");
  } finally {
    await Deno.remove(configDir, { recursive: true });
  }
});

Deno.test("main.ts in production refuses to start without AWS, a tenant and an https issuer", async () => {
  const base = { PORT: "0", CCGATE_KV_PATH: ":memory:", CCGATE_ENV: "production" };
  const tenant = {
    ENTRA_TENANT_ID: "11111111-1111-1111-1111-111111111111",
    ENTRA_CLIENT_ID: "22222222-2222-2222-2222-222222222222",
    ENTRA_ALLOWED_CLIENT_IDS: "33333333-3333-3333-3333-333333333333",
  };
  const cases: [Record<string, string>, string][] = [
    [{}, "ccgate: Invalid setting AWS_REGION: required in production"],
    [{ AWS_REGION: "us-east-1" }, "ccgate: Invalid setting ENTRA_TENANT_ID: is required"],
    [
      { AWS_REGION: "us-east-1", ...tenant },
      "ccgate: Invalid setting CCGATE_ISSUER: must be an https URL in production",
    ],
  ];
  for (const [env, expected] of cases) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: taskArgs("start"),
      cwd: root,
      env: { ...base, ...env },
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(out.code, 1);
    assertEquals(new TextDecoder().decode(out.stderr).trim(), expected);
  }
});
