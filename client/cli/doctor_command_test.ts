import { assertEquals, assertStringIncludes } from "../../testing/assert.ts";
import { withTempDir } from "../../testing/with_temp_dir.ts";
import { CORRUPT_CONFIGS } from "./_corrupt_configs.ts";
import { capturedDeps } from "./_fake_deps.ts";
import { runCli } from "./run_cli.ts";

Deno.test("doctorCommand() reports a corrupt config.json as a failed check naming it and the fix, and runs the others", async () => {
  await withTempDir(async (home) => {
    const dir = `${home}/.config/ccgate`;
    await Deno.mkdir(dir, { recursive: true });
    const env = {
      HOME: home,
      CCGATE_CONFIG_DIR: dir,
      CCGATE_URL: "http://127.0.0.1:1",
      PATH: "/nonexistent",
    };
    for (const [text, problem] of CORRUPT_CONFIGS) {
      await Deno.writeTextFile(`${dir}/config.json`, text);
      const json = capturedDeps(env);
      assertEquals(await runCli(["doctor", "--json"], json), 8, json.err.join(""));
      const report = JSON.parse(json.out.join(""));
      assertEquals(report.ok, false);
      assertEquals(report.checks[0], {
        id: "config",
        status: "fail",
        message: `Cannot read "${dir}/config.json": ${problem}`,
        fix: "run `ccgate login --url http://127.0.0.1:1` to rewrite it",
      });
      const session = report.checks.find((c: { id: string }) => c.id === "session");
      assertEquals(
        session.message,
        "cannot read the session: its store is unknown while config.json cannot be read (see config)",
      );
      const ids = report.checks.map((c: { id: string }) => c.id);
      for (const id of ["settings", "session", "gateway", "auth", "claude-code"]) {
        assertEquals(ids.includes(id), true, `${id} is checked too`);
      }

      const printed = capturedDeps(env);
      assertEquals(await runCli(["doctor"], printed), 8);
      assertStringIncludes(
        printed.out.join(""),
        `FAIL config: Cannot read "${dir}/config.json": ${problem}`,
      );
      assertEquals(printed.err, []);
    }
  });
});
