import { textAnswer } from "@ccgate/emulators";
import { assert, assertEquals, assertStringIncludes } from "../../testing/assert.ts";
import { runClaudeCodeIn } from "../../testing/claude_code.ts";
import { startAuthStack } from "../../testing/auth_stack.ts";
import { runCliProcess, spawnCli } from "../_testing/cli.ts";
import { snapshot } from "../../installer/_testing/rooted_sys.ts";
import { denoDir } from "../../testing/deno_dir.ts";
import { TOKEN_HANDOUT_FILE } from "./token_handout.ts";

/**
 * Runs the real Claude Code in `home` with the environment of the CLI that
 * installed it (its PATH added): its stdout, once it exited with 0.
 */
async function runClaude(env: Record<string, string>, home: string, args: string[]) {
  const run = await runClaudeCodeIn(home, args, {
    ...env,
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
  });
  assertEquals(run.code, 0, run.stderr + run.stdout);
  return run.stdout;
}

/** The CLI's environment in a temporary HOME: a file token store under it, a bare PATH. */
function cliEnv(home: string): Record<string, string> {
  return {
    HOME: home,
    DENO_DIR: denoDir(),
    CCGATE_CONFIG_DIR: `${home}/.config/ccgate`,
    CCGATE_STORE: "file",
    PATH: "/usr/bin:/bin",
  };
}

async function readAll(stream: ReadableStream<Uint8Array>, onText: (t: string) => void = () => {}) {
  let text = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    text += chunk;
    onText(text);
  }
  return text;
}

const USER_SETTINGS = '{\n  "theme": "dark",\n  "env": {\n    "FOO": "1"\n  }\n}\n';

/**
 * Runs the real Claude Code in `home` (`claude -p "Say hello"`, only the
 * installed settings) and checks it answers through the gateway. Claude Code
 * leaves its own state in HOME (~/.claude.json, ~/.claude/projects, ...):
 * that is not install's to remove, so this removes exactly what it added and
 * checks HOME is as before.
 */
async function claudeAnswersThroughGateway(
  stack: Awaited<ReturnType<typeof startAuthStack>>,
  home: string,
  env: Record<string, string>,
): Promise<void> {
  // `ccgate token` notes which token it printed (token_handout.ts): that record may change.
  const handout = `/.config/ccgate/${TOKEN_HANDOUT_FILE}`;
  const ours = async () => {
    const files = await snapshot(home);
    delete files[handout];
    return files;
  };
  const beforeClaude = await ours();
  stack.bedrock!.enqueue(textAnswer("Hello through ccgate"));
  assertStringIncludes(await runClaude(env, home, ["-p", "Say hello"]), "Hello through ccgate");
  const afterClaude = Object.keys(await ours()).filter((k) => !(k in beforeClaude));
  const added = afterClaude.filter((k) =>
    !afterClaude.some((o) => o !== k && o.endsWith("/") && k.startsWith(o))
  );
  assert(!added.some((k) => k.includes("settings.json")), "Claude Code left the settings alone");
  for (const path of added) await Deno.remove(`${home}${path}`, { recursive: true });
  assertEquals(await ours(), beforeClaude);
}

Deno.test("ccgate install --scope user (signs in), doctor, the installed apiKeyHelper, uninstall: HOME byte for byte as before", async () => {
  await using stack = await startAuthStack({ gateway: true });
  const home = await Deno.makeTempDir({ prefix: "ccgate-home-" });
  const env = cliEnv(home);
  try {
    await Deno.mkdir(`${home}/.claude`);
    await Deno.writeTextFile(`${home}/.claude/settings.json`, USER_SETTINGS);
    const before = await snapshot(home);

    // install: no session yet, so it signs in (device code: no display here), then runs doctor.
    const child = spawnCli(
      ["install", "--scope", "user", "--url", stack.url, "--no-schedule"],
      env,
    );
    let approved = false;
    const [, stderr, status] = await Promise.all([
      readAll(child.stdout),
      readAll(child.stderr, (text) => {
        const code = /enter the code (\S+)/.exec(text)?.[1];
        if (code && !approved) approved = stack.entra.approve(code);
      }),
      child.status,
    ]);
    assertEquals(status.code, 0, stderr);
    assert(approved, "install ran the sign-in");
    assertStringIncludes(stderr, "ok   settings:");
    assertStringIncludes(stderr, "ok   session: signed in");
    assertStringIncludes(stderr, "ok   gateway:");

    const settings = JSON.parse(await Deno.readTextFile(`${home}/.claude/settings.json`));
    assertEquals(settings.theme, "dark");
    assertEquals(settings.env.FOO, "1");
    assertEquals(settings.env.ANTHROPIC_BASE_URL, stack.url);
    assertEquals(settings.apiKeyHelper, `${home}/.local/bin/ccgate token`);
    assert(!("forceLoginMethod" in settings));

    // The apiKeyHelper Claude Code would run: the installed launcher prints a token.
    const helper = await new Deno.Command(`${home}/.local/bin/ccgate`, {
      args: ["token"],
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const token = new TextDecoder().decode(helper.stdout);
    assertEquals(helper.code, 0, new TextDecoder().decode(helper.stderr));
    assertEquals(token.split(".").length, 3);

    // The real Claude Code, in this HOME, answers through the gateway with only the installed settings.
    await claudeAnswersThroughGateway(stack, home, env);

    // A second install changes nothing.
    const once = await snapshot(home);
    const again = await runCliProcess(["install", "--url", stack.url, "--no-schedule"], env);
    assertEquals(again.code, 0, again.stderr);
    assertStringIncludes(again.stderr, "Already installed: nothing to change.");
    assertEquals(await snapshot(home), once);

    const doctor = await runCliProcess(["doctor", "--json"], env);
    const report = JSON.parse(doctor.stdout);
    const byId = Object.fromEntries(
      report.checks.map((c: { id: string; status: string }) => [c.id, c.status]),
    );
    assertEquals(byId.settings, "pass");
    assertEquals(byId.session, "pass");
    assertEquals(byId.auth, "pass");
    assertEquals(byId.schedule, "warn");
    assertEquals(byId.token, "pass", "the gateway takes the session's token");

    const plan = await runCliProcess(["uninstall", "--dry-run"], env);
    assertEquals(plan.code, 0, plan.stderr);
    assertStringIncludes(plan.stdout, "sign out: revoke this machine's ccgate session");
    assertEquals(stack.counts.revoke, 0, "a dry run revokes nothing");

    const gone = await runCliProcess(["uninstall"], env);
    assertEquals(gone.code, 0, gone.stderr);
    assertEquals(stack.counts.revoke, 1, "uninstall revoked the session");
    assertEquals(await snapshot(home), before);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

/** `ccgate install` with the device-code sign-in approved; returns its stderr. */
async function installSignedIn(
  stack: Awaited<ReturnType<typeof startAuthStack>>,
  env: Record<string, string>,
  extraArgs: string[] = [],
): Promise<string> {
  const child = spawnCli(
    ["install", "--scope", "user", "--url", stack.url, "--no-schedule", ...extraArgs],
    env,
  );
  let approved = false;
  const [, stderr, status] = await Promise.all([
    readAll(child.stdout),
    readAll(child.stderr, (text) => {
      const code = /enter the code (\S+)/.exec(text)?.[1];
      if (code && !approved) approved = stack.entra.approve(code);
    }),
    child.status,
  ]);
  assertEquals(status.code, 0, stderr);
  return stderr;
}

/** A developer's settings from before ccgate: Bedrock direct, a personal key (made up), a Bedrock model id. */
const PROVIDER_SETTINGS = JSON.stringify(
  {
    env: {
      CLAUDE_CODE_USE_BEDROCK: "1",
      AWS_PROFILE: "dev",
      ANTHROPIC_API_KEY: "sk-ant-api03-personal",
      ANTHROPIC_MODEL: "eu.anthropic.claude-sonnet-4-5-20250929-v1:0",
    },
  },
  null,
  2,
) + "\n";

Deno.test("ccgate install takes over the user's Bedrock switch, API key and Bedrock model id: the real Claude Code answers through the gateway, uninstall gives them back byte for byte", async () => {
  await using stack = await startAuthStack({ gateway: true });
  const home = await Deno.makeTempDir({ prefix: "ccgate-home-" });
  const env = cliEnv(home);
  try {
    await Deno.mkdir(`${home}/.claude`);
    await Deno.writeTextFile(`${home}/.claude/settings.json`, PROVIDER_SETTINGS);
    const before = await snapshot(home);
    const stderr = await installSignedIn(stack, env);
    assertStringIncludes(stderr, "ok   claude-env:");
    assertStringIncludes(
      stderr,
      "taken over until uninstall, as they would route Claude Code around ccgate: CLAUDE_CODE_USE_BEDROCK, ANTHROPIC_API_KEY, ANTHROPIC_MODEL",
    );
    assert(!stderr.includes("sk-ant-api03-personal"), "the key's value is never printed");

    const settings = JSON.parse(await Deno.readTextFile(`${home}/.claude/settings.json`));
    assertEquals(settings.env.AWS_PROFILE, "dev");
    for (const name of ["CLAUDE_CODE_USE_BEDROCK", "ANTHROPIC_API_KEY", "ANTHROPIC_MODEL"]) {
      assert(!(name in settings.env), `${name} taken over`);
    }

    // The real Claude Code, in this HOME, goes to the gateway with the ccgate token only.
    await claudeAnswersThroughGateway(stack, home, env);

    // The user puts the API key back by hand: doctor fails naming it, never printing it.
    const edited = structuredClone(settings);
    edited.env.ANTHROPIC_API_KEY = "sk-ant-api03-personal";
    const settingsText = await Deno.readTextFile(`${home}/.claude/settings.json`);
    await Deno.writeTextFile(`${home}/.claude/settings.json`, JSON.stringify(edited));
    const doctor = await runCliProcess(["doctor"], env);
    assertEquals(doctor.code, 8, doctor.stdout);
    assertStringIncludes(
      doctor.stdout,
      `FAIL claude-env: ANTHROPIC_API_KEY (set in ${home}/.claude/settings.json)`,
    );
    assert(!doctor.stdout.includes("sk-ant-api03-personal"), "the key is never printed");
    await Deno.writeTextFile(`${home}/.claude/settings.json`, settingsText);

    const gone = await runCliProcess(["uninstall"], env);
    assertEquals(gone.code, 0, gone.stderr);
    assertEquals(await snapshot(home), before);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("ccgate install --mode bedrock (signs in) writes the gateway's alias models: the real Claude Code's `sonnet` and `haiku` reach the 5.5 profiles", async () => {
  await using stack = await startAuthStack({ gateway: true });
  const home = await Deno.makeTempDir({ prefix: "ccgate-home-" });
  const env = cliEnv(home);
  try {
    // No session before install: it signs in, then asks the gateway and rewrites the settings.
    const stderr = await installSignedIn(stack, env, ["--mode", "bedrock"]);
    assert(!stderr.includes("warning"), stderr);
    for (const alias of ["sonnet", "haiku"]) {
      const before = stack.bedrock!.requests.length;
      stack.bedrock!.enqueue(textAnswer(`Hello from ${alias}`));
      const out = await runClaude(env, home, ["-p", "Say hello", "--model", alias]);
      assertStringIncludes(out, `Hello from ${alias}`);
      // Claude Code's own Bedrock default for the alias would be its 4.5 profile.
      const invoked = stack.bedrock!.requests.slice(before).filter((r) => r.operation !== null)
        .map((r) => r.modelId);
      assertEquals(invoked, [`us.anthropic.claude-${alias}-5-5`], `--model ${alias}`);
    }
    const settings = JSON.parse(await Deno.readTextFile(`${home}/.claude/settings.json`));
    assertEquals(settings.env.CLAUDE_CODE_USE_BEDROCK, "1");
    assertEquals(settings.env.ANTHROPIC_DEFAULT_SONNET_MODEL, "us.anthropic.claude-sonnet-5-5");
    assertEquals(settings.env.ANTHROPIC_DEFAULT_HAIKU_MODEL, "us.anthropic.claude-haiku-5-5");

    const gone = await runCliProcess(["uninstall"], env);
    assertEquals(gone.code, 0, gone.stderr);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
