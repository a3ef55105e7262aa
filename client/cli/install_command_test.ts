import { assertEquals, assertStringIncludes } from "../../testing/assert.ts";
import { withTempDir } from "../../testing/with_temp_dir.ts";
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
