/**
 * The \`ccgate\` CLI as a process, on a temporary HOME, where no sign-in and no
 * Claude Code are needed: install's refusals and its symlink handling, the
 * MDM files, the verified mirror and doctor on a machine without ccgate.
 * (install_e2e_test.ts signs in and runs the real Claude Code.)
 */
import { assert, assertEquals, assertStringIncludes } from "../../testing/assert.ts";
import { denoDir } from "../../testing/deno_dir.ts";
import { runCliProcess } from "../_testing/cli.ts";
import { startFakeReleaseServer } from "../../installer/_testing/fake_release_server.ts";
import { snapshot } from "../../installer/_testing/rooted_sys.ts";

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
