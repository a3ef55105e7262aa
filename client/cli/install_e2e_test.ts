import { textAnswer } from "@ccgate/emulators";
import { assert, assertEquals, assertStringIncludes } from "../../testing/assert.ts";
import { claudeBin } from "../../testing/claude_code.ts";
import { startAuthStack } from "../../testing/auth_stack.ts";
import { runCliProcess, spawnCli } from "../_testing/cli.ts";
import { startFakeReleaseServer } from "../../installer/_testing/fake_release_server.ts";

/** Every file and folder under `dir` with its mode and the SHA-256 of its bytes. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string, rel: string) => {
    const names: Deno.DirEntry[] = [];
    for await (const e of Deno.readDir(d)) names.push(e);
    names.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of names) {
      const path = `${d}/${e.name}`;
      const mode = ((await Deno.lstat(path)).mode ?? 0) & 0o777;
      if (e.isDirectory) {
        out[`${rel}/${e.name}/`] = `dir ${mode.toString(8)}`;
        await walk(path, `${rel}/${e.name}`);
      } else {
        // A digest, not the bytes: Claude Code's own files in HOME run to megabytes.
        const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
        out[`${rel}/${e.name}`] = `${mode.toString(8)} ${new Uint8Array(digest).toHex()}`;
      }
    }
  };
  await walk(dir, "");
  return out;
}

/** The module cache of this process (a new HOME would otherwise start an empty one). */
function denoDir(): string {
  return Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`;
}

/**
 * Runs the real Claude Code in `home` with the environment of the CLI that
 * installed it (its PATH added): its stdout, once it exited with 0.
 */
async function runClaude(env: Record<string, string>, home: string, args: string[]) {
  const claude = await new Deno.Command(claudeBin, {
    args,
    env: { ...env, PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", DISABLE_AUTOUPDATER: "1" },
    clearEnv: true,
    cwd: home,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(claude.stdout);
  assertEquals(claude.code, 0, new TextDecoder().decode(claude.stderr) + out);
  return out;
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
  const beforeClaude = await snapshot(home);
  stack.bedrock!.enqueue(textAnswer("Hello through ccgate"));
  assertStringIncludes(await runClaude(env, home, ["-p", "Say hello"]), "Hello through ccgate");
  const afterClaude = Object.keys(await snapshot(home)).filter((k) => !(k in beforeClaude));
  const added = afterClaude.filter((k) =>
    !afterClaude.some((o) => o !== k && o.endsWith("/") && k.startsWith(o))
  );
  assert(!added.some((k) => k.includes("settings.json")), "Claude Code left the settings alone");
  for (const path of added) await Deno.remove(`${home}${path}`, { recursive: true });
  assertEquals(await snapshot(home), beforeClaude);
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

Deno.test("ccgate install refuses a settings file that is not JSON, changes nothing, exit code 7", async () => {
  const home = await Deno.makeTempDir({ prefix: "ccgate-home-" });
  const env = { HOME: home, DENO_DIR: denoDir(), CCGATE_CONFIG_DIR: `${home}/.config/ccgate` };
  try {
    await Deno.mkdir(`${home}/.claude`);
    await Deno.writeTextFile(`${home}/.claude/settings.json`, "{ not json");
    const before = await snapshot(home);
    const run = await runCliProcess(
      ["install", "--url", "http://127.0.0.1:1", "--no-login", "--no-schedule"],
      env,
    );
    assertEquals(run.code, 7);
    assertEquals(
      run.stderr,
      `ccgate: Cannot merge into "${home}/.claude/settings.json": it is not a valid JSON object; fix or move it, then run install again (nothing was changed)\n`,
    );
    assertEquals(await snapshot(home), before);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("ccgate install --emit mdm writes the profile, the .reg (UTF-16LE), the script and the drop-in, and touches nothing else", async () => {
  const out = await Deno.makeTempDir({ prefix: "ccgate-mdm-" });
  const home = await Deno.makeTempDir({ prefix: "ccgate-home-" });
  try {
    const run = await runCliProcess(
      ["install", "--emit", "mdm", "--url", "https://ccgate.example.com", "--out", out],
      { HOME: home, DENO_DIR: denoDir(), CCGATE_CONFIG_DIR: `${home}/.config/ccgate` },
    );
    assertEquals(run.code, 0, run.stderr);
    const names = [];
    for await (const e of Deno.readDir(out)) names.push(e.name);
    assertEquals(names.sort(), [
      "50-ccgate.json",
      "ccgate-policy.ps1",
      "ccgate.mobileconfig",
      "ccgate.reg",
    ]);
    const reg = await Deno.readFile(`${out}/ccgate.reg`);
    assertEquals([...reg.slice(0, 2)], [0xff, 0xfe]);
    assertStringIncludes(
      new TextDecoder("utf-16le").decode(reg.slice(2)),
      "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\ClaudeCode]",
    );
    assertStringIncludes(
      await Deno.readTextFile(`${out}/ccgate.mobileconfig`),
      "<string>com.anthropic.claudecode</string>",
    );
    const dropIn = JSON.parse(await Deno.readTextFile(`${out}/50-ccgate.json`));
    assertEquals(dropIn.apiKeyHelper, "/usr/local/bin/ccgate token");
    assertEquals(await snapshot(home), {});
  } finally {
    await Deno.remove(out, { recursive: true });
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("ccgate mirror downloads, verifies and lays out a release; a tampered file fails with exit code 7", async () => {
  await using bucket = await startFakeReleaseServer();
  const out = await Deno.makeTempDir({ prefix: "ccgate-mirror-" });
  try {
    const run = await runCliProcess(
      // `--version` is mirror's own option here, not the root's (which would print 0.1.0).
      [
        "mirror",
        "--out",
        out,
        "--version",
        "stable",
        "--base-url",
        bucket.url,
        "--platform",
        "linux-x64",
        "win32-x64",
      ],
      {},
    );
    assertEquals(run.code, 0, run.stderr);
    assertEquals(
      run.stdout,
      `${out}/2.1.197/linux-x64/claude downloaded and verified\n${out}/2.1.197/win32-x64/claude.exe downloaded and verified\n`,
    );
    assertEquals(await Deno.readTextFile(`${out}/stable`), "2.1.197\n");
    bucket.tamper.add("darwin-arm64");
    const bad = await runCliProcess(
      ["mirror", "--out", out, "--base-url", bucket.url, "--platform", "darwin-arm64"],
      {},
    );
    assertEquals(bad.code, 7);
    assertStringIncludes(bad.stderr, "does not match the release manifest");
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("ccgate doctor on a machine without ccgate: exit code 8, each failure with its fix", async () => {
  const home = await Deno.makeTempDir({ prefix: "ccgate-home-" });
  try {
    const run = await runCliProcess(["doctor"], {
      HOME: home,
      DENO_DIR: denoDir(),
      CCGATE_CONFIG_DIR: `${home}/.config/ccgate`,
      CCGATE_URL: "http://127.0.0.1:1",
      PATH: "/nonexistent",
    });
    assertEquals(run.code, 8, run.stderr);
    assertStringIncludes(
      run.stdout,
      "FAIL settings: ccgate is not installed (no install manifest)\n     fix: run `ccgate install --url http://127.0.0.1:1`\n",
    );
    assertStringIncludes(
      run.stdout,
      "FAIL session: not signed in\n     fix: run `ccgate login --url http://127.0.0.1:1`\n",
    );
    assertStringIncludes(run.stdout, "FAIL claude-code: Claude Code is not installed");
    assertEquals(await snapshot(home), {});
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

Deno.test("ccgate install and uninstall keep a symlinked settings file a link, writing through to its target", async () => {
  const home = await Deno.makeTempDir({ prefix: "ccgate-home-" });
  const env = { HOME: home, DENO_DIR: denoDir(), CCGATE_CONFIG_DIR: `${home}/.config/ccgate` };
  try {
    await Deno.mkdir(`${home}/.claude`);
    await Deno.mkdir(`${home}/dotfiles`);
    await Deno.writeTextFile(`${home}/dotfiles/claude.json`, '{"theme":"dark"}\n');
    await Deno.symlink("../dotfiles/claude.json", `${home}/.claude/settings.json`);
    const before = await snapshot(home);
    const run = await runCliProcess(
      ["install", "--url", "http://127.0.0.1:1", "--no-login", "--no-schedule"],
      env,
    );
    assertEquals(run.code === 0 || run.code === 8, true, run.stderr);
    assert((await Deno.lstat(`${home}/.claude/settings.json`)).isSymlink, "install kept the link");
    const target = JSON.parse(await Deno.readTextFile(`${home}/dotfiles/claude.json`));
    assertEquals(target.theme, "dark");
    assertEquals(target.env.ANTHROPIC_BASE_URL, "http://127.0.0.1:1");
    assertEquals(
      (await Array.fromAsync(Deno.readDir(`${home}/dotfiles`))).map((e) => e.name).sort(),
      ["claude.json"],
      "no temporary file left beside the target",
    );

    const gone = await runCliProcess(["uninstall"], env);
    assertEquals(gone.code, 0, gone.stderr);
    assert(
      (await Deno.lstat(`${home}/.claude/settings.json`)).isSymlink,
      "uninstall kept the link",
    );
    assertEquals(await Deno.readLink(`${home}/.claude/settings.json`), "../dotfiles/claude.json");
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
