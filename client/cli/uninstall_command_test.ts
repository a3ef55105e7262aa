import { assert, assertEquals, assertStringIncludes } from "../../testing/assert.ts";
import { startAuthStack } from "../../testing/auth_stack.ts";
import { withTempDir } from "../../testing/with_temp_dir.ts";
import { seedFileSession } from "../_testing/seed_file_session.ts";
import { capturedDeps } from "./_fake_deps.ts";
import { runCli } from "./run_cli.ts";

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

Deno.test("uninstallCommand() removes everything but exits 4 when the session could not be revoked", async () => {
  await withTempDir(async (home) => {
    const dir = `${home}/.config/ccgate`;
    const env = { HOME: home, CCGATE_CONFIG_DIR: dir, PATH: "/nonexistent" };
    await Deno.mkdir(`${home}/.claude`);
    await Deno.writeTextFile(`${home}/.claude/settings.json`, '{\n  "theme": "dark"\n}\n');
    {
      await using stack = await startAuthStack();
      const install = capturedDeps(env);
      const args = ["install", "--url", stack.url, "--no-login", "--no-schedule"];
      assertEquals(await runCli(args, install), 0, install.err.join(""));
      await seedFileSession(stack, dir);
      assert(await exists(`${dir}/install.json`), "installed");
    } // the auth service is gone: the revocation cannot reach it

    const deps = capturedDeps(env);
    assertEquals(await runCli(["uninstall"], deps), 4, deps.err.join(""));
    const err = deps.err.join("");
    assertStringIncludes(err, "but the session could not be revoked");
    assertStringIncludes(
      err,
      "Uninstalled ccgate from this machine, but its session is not revoked (see above)",
    );
    assertEquals(
      await Deno.readTextFile(`${home}/.claude/settings.json`),
      '{\n  "theme": "dark"\n}\n',
    );
    assert(!(await exists(`${dir}/session.json`)), "the session is forgotten");
    assert(!(await exists(`${dir}/install.json`)), "the install record is gone");
  });
});

Deno.test("uninstallCommand() says which folders it removed, and keeps one that is not empty", async () => {
  await withTempDir(async (home) => {
    const dir = `${home}/.config/ccgate`;
    const env = { HOME: home, CCGATE_CONFIG_DIR: dir, PATH: "/nonexistent" };
    const install = capturedDeps(env);
    const args = ["install", "--url", "http://127.0.0.1:1", "--no-login", "--no-schedule"];
    assertEquals(await runCli(args, install), 0, install.err.join(""));
    // Claude Code keeps its own files in the folder install created for its settings.
    await Deno.mkdir(`${home}/.claude/projects`);
    await Deno.writeTextFile(`${home}/.claude/projects/history.jsonl`, "{}\n");

    const deps = capturedDeps(env);
    assertEquals(await runCli(["uninstall"], deps), 0, deps.err.join(""));
    const err = deps.err.join("");
    assert(!err.includes(`rmdir  ${home}/.claude:`), err);
    assertStringIncludes(
      err,
      `kept ${home}/.claude (a folder install created: not empty, so left in place)\n`,
    );
    assertStringIncludes(err, `  rmdir  ${home}/.local/bin: folder install created, now empty\n`);
    assert(!err.includes("(when empty)"), err);
    assert(!(await exists(`${home}/.local`)), "the empty folders are gone");
    assertEquals(await Deno.readTextFile(`${home}/.claude/projects/history.jsonl`), "{}\n");
  });
});
