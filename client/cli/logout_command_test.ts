import { assertEquals, assertStringIncludes } from "../../testing/assert.ts";
import { saveCliConfig } from "./cli_config.ts";
import { seedFileSession } from "../_testing/seed_file_session.ts";
import { startAuthStack } from "../../testing/auth_stack.ts";
import { capturedDeps } from "./_fake_deps.ts";
import { runCli } from "./run_cli.ts";
import { withTempDir } from "../../testing/with_temp_dir.ts";

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

const CORRUPT_SESSIONS = ['{"version":1,"issuer":"htt', "", "[]", "null", '{"version":1}'];

Deno.test("runCli() token, status and refresh say to log in when session.json is corrupt", async () => {
  await withTempDir(async (dir) => {
    await saveCliConfig(dir, { url: "http://ccgate.test", store: "file" });
    for (const text of CORRUPT_SESSIONS) {
      await Deno.writeTextFile(`${dir}/session.json`, text);
      for (const args of [["token"], ["status"], ["refresh"]]) {
        const deps = capturedDeps({ CCGATE_CONFIG_DIR: dir });
        assertEquals(await runCli(args, deps), 6, `${args} ${text}`);
        assertEquals(deps.err.length, 1);
        assertStringIncludes(
          deps.err.join(""),
          `ccgate: Cannot read the session in "${dir}/session.json"`,
        );
        assertStringIncludes(deps.err.join(""), "run `ccgate login`");
      }
    }
  });
});

Deno.test("logoutCommand() forgets an unreadable session and says it could not revoke it", async () => {
  await withTempDir(async (dir) => {
    await saveCliConfig(dir, { url: "http://ccgate.test", store: "file" });
    for (const text of CORRUPT_SESSIONS) {
      await Deno.writeTextFile(`${dir}/session.json`, text);
      const deps = capturedDeps({ CCGATE_CONFIG_DIR: dir });
      assertEquals(await runCli(["logout"], deps), 0, deps.err.join(""));
      assertEquals(await exists(`${dir}/session.json`), false, text);
      const err = deps.err.join("");
      assertEquals(err.trimEnd().split("\n").length, 1, err);
      assertStringIncludes(err, `"${dir}/session.json"`);
      assertStringIncludes(err, "could not be read");
      assertStringIncludes(err, "could not be revoked");
    }
  });
});

Deno.test("logoutCommand() with a corrupt config.json still revokes and forgets the file session", async () => {
  await using stack = await startAuthStack();
  await withTempDir(async (dir) => {
    await seedFileSession(stack, dir, { oid: "oid-dave", config: false });
    await Deno.writeTextFile(
      `${dir}/config.json`,
      '{"url": "http://ccgate.test", "store": "keyring"}',
    );
    const deps = capturedDeps({ CCGATE_CONFIG_DIR: dir });
    assertEquals(await runCli(["logout"], deps), 0, deps.err.join(""));
    assertEquals(stack.counts.revoke, 1);
    assertEquals(await exists(`${dir}/session.json`), false);
    const err = deps.err.join("");
    assertStringIncludes(err, `"${dir}/config.json": "store" is "keyring"`);
    assertStringIncludes(err, "run `ccgate login --url <gateway>` to rewrite it");
    assertStringIncludes(err, "Signed out");
  });
});

Deno.test("logoutCommand() with a truncated config.json and no session says not signed in", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/config.json`, '{"url": "http://ccg');
    const deps = capturedDeps({ CCGATE_CONFIG_DIR: dir });
    assertEquals(await runCli(["logout"], deps), 0, deps.err.join(""));
    assertStringIncludes(deps.err.join(""), "not JSON");
    assertStringIncludes(deps.err.join(""), "Not signed in");
  });
});
