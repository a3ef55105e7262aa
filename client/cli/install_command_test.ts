import { assert, assertEquals, assertStringIncludes } from "../../testing/assert.ts";
import { startAuthStack } from "../../testing/auth_stack.ts";
import { withTempDir } from "../../testing/with_temp_dir.ts";
import { fakeClock } from "../_testing/fake_clock.ts";
import { seedFileSession } from "../_testing/seed_file_session.ts";
import { CORRUPT_CONFIGS } from "./_corrupt_configs.ts";
import { capturedDeps } from "./_fake_deps.ts";
import { runCli } from "./run_cli.ts";

/** Every path under `dir` with its content (folders end in `/`). */
async function tree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string) => {
    for await (const e of Deno.readDir(d)) {
      const path = `${d}/${e.name}`;
      if (e.isDirectory) {
        out[`${path}/`] = "";
        await walk(path);
      } else {
        out[path] = await Deno.readTextFile(path);
      }
    }
  };
  await walk(dir);
  return out;
}

Deno.test("installCommand() refuses a corrupt config.json with exit 6, naming it and the fix, before changing anything", async () => {
  await withTempDir(async (home) => {
    const dir = `${home}/.config/ccgate`;
    await Deno.mkdir(dir, { recursive: true });
    await Deno.mkdir(`${home}/.claude`);
    await Deno.writeTextFile(`${home}/.claude/settings.json`, '{\n  "theme": "dark"\n}\n');
    for (const [text, problem] of CORRUPT_CONFIGS) {
      await Deno.writeTextFile(`${dir}/config.json`, text);
      const before = await tree(home);
      for (const dryRun of [[], ["--dry-run"]]) {
        const deps = capturedDeps({ HOME: home, CCGATE_CONFIG_DIR: dir, PATH: "/nonexistent" });
        const args = [
          "install",
          "--url",
          "http://127.0.0.1:1",
          "--no-login",
          "--no-schedule",
          ...dryRun,
        ];
        assertEquals(await runCli(args, deps), 6, `${text} ${dryRun}: ${deps.err.join("")}`);
        assertEquals(deps.err, [
          `ccgate: Cannot read "${dir}/config.json": ${problem}; run \`ccgate login --url <gateway>\` to rewrite it\n`,
        ]);
        assertEquals(deps.out, []);
        assertEquals(await tree(home), before, "nothing changed");
      }
    }
  });
});

Deno.test("installCommand() refuses a config.json it cannot read with exit 6, naming it", async () => {
  await withTempDir(async (home) => {
    const dir = `${home}/.config/ccgate`;
    await Deno.mkdir(`${dir}/config.json`, { recursive: true });
    const deps = capturedDeps({ HOME: home, CCGATE_CONFIG_DIR: dir, PATH: "/nonexistent" });
    const args = ["install", "--url", "http://127.0.0.1:1", "--no-login", "--no-schedule"];
    assertEquals(await runCli(args, deps), 6, deps.err.join(""));
    assertEquals(deps.err.length, 1);
    assertStringIncludes(deps.err[0]!, `Cannot read "${dir}/config.json": it is a folder`);
    assertEquals(await tree(home), {
      [`${home}/.config/`]: "",
      [`${dir}/`]: "",
      [`${dir}/config.json/`]: "",
    });
  });
});

Deno.test("installCommand() says a settings path it cannot use in one line, with exit 7", async () => {
  await withTempDir(async (home) => {
    await Deno.mkdir(`${home}/.claude/settings.json`, { recursive: true });
    const deps = capturedDeps({
      HOME: home,
      CCGATE_CONFIG_DIR: `${home}/.config/ccgate`,
      PATH: "/nonexistent",
    });
    const args = ["install", "--url", "http://127.0.0.1:1", "--no-login", "--no-schedule"];
    assertEquals(await runCli(args, deps), 7, deps.err.join(""));
    assertEquals(deps.err.length, 1, deps.err.join(""));
    assertStringIncludes(deps.err[0]!, "ccgate: Cannot install: Is a directory (os error 21)");
    assertStringIncludes(deps.err[0]!, `${home}/.claude/settings.json`);
  });
});

Deno.test("installCommand() names what an earlier install owned and this one keeps", async () => {
  await withTempDir(async (home) => {
    const env = { HOME: home, CCGATE_CONFIG_DIR: `${home}/.config/ccgate`, PATH: "/nonexistent" };
    // A systemd user manager that runs every command it is given.
    const systemd = (command: string) =>
      command === "systemctl" ? { stdout: "running\n" } : "missing";
    const args = ["install", "--url", "http://127.0.0.1:1", "--no-login"];
    const first = capturedDeps(env, systemd);
    assertEquals(await runCli(args, first), 0, first.err.join(""));
    const service = `${home}/.config/systemd/user/ccgate-refresh.service`;
    await Deno.writeTextFile(service, "[Service]\nExecStart=/bin/true\n");

    const dry = capturedDeps(env, systemd);
    assertEquals(await runCli([...args, "--no-schedule", "--dry-run"], dry), 0, dry.err.join(""));
    assertStringIncludes(dry.out.join(""), `keep   ${service} (changed since install)\n`);
    const again = capturedDeps(env, systemd);
    assertEquals(await runCli([...args, "--no-schedule"], again), 0, again.err.join(""));
    assertStringIncludes(again.err.join(""), `kept ${service} (changed since install)\n`);
  });
});

/** The `env` of the Claude Code settings install wrote in `home`. */
async function settingsEnv(home: string): Promise<Record<string, string>> {
  return JSON.parse(await Deno.readTextFile(`${home}/.claude/settings.json`)).env;
}

/** `ccgate install --mode bedrock` in `home` with a session of `stack`: the settings' env and stderr. */
async function installBedrockSignedIn(
  stack: Awaited<ReturnType<typeof startAuthStack>>,
  home: string,
): Promise<{ env: Record<string, string>; err: string }> {
  const dir = `${home}/.config/ccgate`;
  await seedFileSession(stack, dir);
  const deps = capturedDeps({ HOME: home, CCGATE_CONFIG_DIR: dir, PATH: "/nonexistent" });
  const args = ["install", "--mode", "bedrock", "--url", stack.url, "--no-schedule"];
  assertEquals(await runCli(args, deps), 0, deps.err.join(""));
  return { env: await settingsEnv(home), err: deps.err.join("") };
}

Deno.test("installCommand() --mode bedrock writes the gateway's model of each Claude Code alias, asked with the session", async () => {
  await using stack = await startAuthStack({ gateway: true });
  await withTempDir(async (home) => {
    const { env, err } = await installBedrockSignedIn(stack, home);
    assertEquals(env.CLAUDE_CODE_USE_BEDROCK, "1");
    assertEquals(env.ANTHROPIC_DEFAULT_OPUS_MODEL, "us.anthropic.claude-opus-5-5");
    assertEquals(env.ANTHROPIC_DEFAULT_SONNET_MODEL, "us.anthropic.claude-sonnet-5-5");
    assertEquals(env.ANTHROPIC_DEFAULT_HAIKU_MODEL, "us.anthropic.claude-haiku-5-5");
    assertEquals(env.ANTHROPIC_DEFAULT_FABLE_MODEL, "us.anthropic.claude-fable-5-2");
    assert(!err.includes("warning"), err);
    assertStringIncludes(
      err,
      "Claude Code's model aliases, as the gateway chose them: opus us.anthropic.claude-opus-5-5, sonnet us.anthropic.claude-sonnet-5-5, haiku us.anthropic.claude-haiku-5-5, fable us.anthropic.claude-fable-5-2\n",
    );
  });
});

Deno.test("installCommand() --mode bedrock against a gateway without the aliases route installs as before, with a one-line warning", async () => {
  // The auth service alone answers 404 for /claude-code/aliases, as a gateway older than the CLI.
  await using stack = await startAuthStack();
  await withTempDir(async (home) => {
    const { env, err } = await installBedrockSignedIn(stack, home);
    assertEquals(env.CLAUDE_CODE_USE_BEDROCK, "1");
    assert(!Object.keys(env).some((name) => name.startsWith("ANTHROPIC_DEFAULT_")));
    const warnings = err.split("\n").filter((line) => line.includes("warning"));
    assertEquals(warnings, [
      `warning Claude Code keeps its built-in Bedrock models for sonnet and haiku (the 4.5 ones): the gateway does not publish them (GET ${stack.url}/claude-code/aliases: HTTP 404, a ccgate older than this CLI)`,
    ]);
  });
});

Deno.test("installCommand() --mode bedrock without a session, not signing in: installs without alias models, says why", async () => {
  await withTempDir(async (home) => {
    const dir = `${home}/.config/ccgate`;
    const deps = capturedDeps({ HOME: home, CCGATE_CONFIG_DIR: dir, PATH: "/nonexistent" });
    const args = ["install", "--mode", "bedrock", "--url", "http://127.0.0.1:1", "--no-login"];
    const dry = capturedDeps({ HOME: home, CCGATE_CONFIG_DIR: dir, PATH: "/nonexistent" });
    assertEquals(await runCli([...args, "--no-schedule", "--dry-run"], dry), 0, dry.err.join(""));
    assertStringIncludes(
      dry.out.join(""),
      "ask    http://127.0.0.1:1/claude-code/aliases: the model of each Claude Code alias (not signed in to http://127.0.0.1:1)\n",
    );
    assertEquals(await runCli([...args, "--no-schedule"], deps), 0, deps.err.join(""));
    assert(!Object.keys(await settingsEnv(home)).some((n) => n.startsWith("ANTHROPIC_DEFAULT_")));
    assertStringIncludes(
      deps.err.join(""),
      "warning Claude Code keeps its built-in Bedrock models for sonnet and haiku (the 4.5 ones): not signed in to http://127.0.0.1:1\n",
    );
  });
});

Deno.test("installCommand() refuses a URL that is unreachable or not ccgate in one line, exit 4, changing nothing; --dry-run says the same", async () => {
  // Answers every request 404, as a web server that is not ccgate.
  await using notCcgate = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response("not here", { status: 404 }),
  );
  const other = `http://127.0.0.1:${notCcgate.addr.port}`;
  const cases: [string, string][] = [
    ["http://127.0.0.1:1", 'Cannot reach ccgate at "http://127.0.0.1:1": it is unreachable'],
    [
      other,
      `"${other}" does not look like a ccgate server: its metadata (/.well-known/oauth-authorization-server) answered HTTP 404`,
    ],
  ];
  await withTempDir(async (home) => {
    const env = { HOME: home, CCGATE_CONFIG_DIR: `${home}/.config/ccgate`, PATH: "/nonexistent" };
    for (const [url, reason] of cases) {
      for (const dryRun of [[], ["--dry-run"]]) {
        const deps = capturedDeps(env);
        const args = ["install", "--url", url, "--no-schedule", ...dryRun];
        assertEquals(await runCli(args, deps), 4, `${url} ${dryRun}: ${deps.err.join("")}`);
        assertEquals(deps.err, [
          `ccgate: ${reason}; nothing was changed: check --url (or pass --no-login to install without reaching ccgate now)\n`,
        ]);
        assertEquals(deps.out, []);
        assertEquals(await tree(home), {}, "nothing written");
      }
    }
  });
});

Deno.test("installCommand() --dry-run says it asked the URL; a sign-in that fails after installing says what stays and how to undo it", async () => {
  await using stack = await startAuthStack();
  await withTempDir(async (home) => {
    const dir = `${home}/.config/ccgate`;
    const env = { HOME: home, CCGATE_CONFIG_DIR: dir, PATH: "/nonexistent" };
    const dry = capturedDeps(env);
    const args = ["install", "--url", stack.url, "--no-schedule"];
    assertEquals(await runCli([...args, "--dry-run"], dry), 0, dry.err.join(""));
    assertEquals(
      dry.out[0],
      `check  ${stack.url}: ccgate answers (asked before anything is written)\n`,
    );
    // The sign-in cannot keep a session: no Secret Service on this machine (exit 6).
    const deps = capturedDeps({ ...env, CCGATE_STORE: "secret-service" });
    assertEquals(await runCli(args, deps), 6, deps.err.join(""));
    const err = deps.err.join("");
    assertStringIncludes(
      err,
      `Installed, not signed in: run \`ccgate login --url ${stack.url}\` to finish (\`ccgate uninstall\` undoes the install)\n`,
    );
    assertEquals(
      JSON.parse(await Deno.readTextFile(`${home}/.claude/settings.json`)).env.ANTHROPIC_BASE_URL,
      stack.url,
    );
  });
});

Deno.test("installCommand() from a checkout writes a launcher that starts the deno on PATH, as PATH names it", async () => {
  await withTempDir(async (home) => {
    // deno as a symbolic link on PATH (npx, a version manager): Deno.execPath() is its target.
    await Deno.mkdir(`${home}/bin`);
    await Deno.symlink(Deno.execPath(), `${home}/bin/deno`);
    const env = { HOME: home, CCGATE_CONFIG_DIR: `${home}/.config/ccgate`, PATH: `${home}/bin` };
    const deps = capturedDeps(env);
    const args = ["install", "--url", "http://127.0.0.1:1", "--no-login", "--no-schedule"];
    assertEquals(await runCli(args, deps), 0, deps.err.join(""));
    const launcher = await Deno.readTextFile(`${home}/.local/bin/ccgate`);
    assertStringIncludes(launcher, `\ndeno=${home}/bin/deno\n`);
    assert(!launcher.includes(Deno.execPath()), launcher);
  });
});

Deno.test("installCommand() without a systemd user manager or crontab (a container) stops in one line, exit 7, changing nothing", async () => {
  await withTempDir(async (home) => {
    const env = { HOME: home, CCGATE_CONFIG_DIR: `${home}/.config/ccgate`, PATH: "/nonexistent" };
    for (const dryRun of [[], ["--dry-run"]]) {
      const deps = capturedDeps(env); // no systemctl, no crontab
      const args = ["install", "--url", "http://127.0.0.1:1", "--no-login", ...dryRun];
      assertEquals(await runCli(args, deps), 7, deps.err.join(""));
      assertEquals(deps.err, [
        "ccgate: Cannot schedule `ccgate refresh`: there is no systemd user manager and no crontab (install cron, or pass --no-schedule: `ccgate token` then refreshes the token when Claude Code asks for one)\n",
      ]);
      assertEquals(await tree(home), {}, "nothing written");
    }
  });
});

Deno.test("installCommand() asks the ccgate URL for its metadata once, and signs in with that answer", async () => {
  // The device code's polls wait on a clock the emulator shares, moved only by the CLI's sleep.
  const clock = fakeClock(new Date());
  await using stack = await startAuthStack({ entra: { autoApprove: true, now: clock.now } });
  await withTempDir(async (home) => {
    const env = {
      HOME: home,
      CCGATE_CONFIG_DIR: `${home}/.config/ccgate`,
      CCGATE_STORE: "file",
      PATH: "/nonexistent",
    };
    const args = ["install", "--url", stack.url, "--no-schedule"];
    const dry = capturedDeps(env);
    assertEquals(await runCli([...args, "--dry-run"], dry), 0, dry.err.join(""));
    assertEquals(stack.counts.metadata, 1, "--dry-run");
    // Not signed in: install checks the URL, then signs in (a device code the emulator approves).
    const deps = {
      ...capturedDeps(env),
      now: clock.now,
      sleep: (ms: number) => Promise.resolve(clock.advance(ms)),
    };
    assertEquals(await runCli(args, deps), 0, deps.err.join(""));
    assertStringIncludes(deps.out.join(""), `Signed in to ${stack.url}`);
    assertEquals(stack.counts.exchange, 1);
    // Once before anything is written; once more by the doctor's report at the end (auth reachable?).
    assertEquals(stack.counts.metadata - 1, 2);
  });
});
