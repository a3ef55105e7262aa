import { assertEquals, assertRejects, assertStringIncludes } from "../../testing/assert.ts";
import { TokenStoreError } from "../errors.ts";
import { capturedDeps } from "./_fake_deps.ts";
import { type CliConfig, loadCliConfig, storeFailure } from "./cli_config.ts";
import { runCli } from "./run_cli.ts";
import { withTempDir } from "../../testing/with_temp_dir.ts";

const REWRITE = "run `ccgate login --url <gateway>` to rewrite it";

Deno.test("loadCliConfig() names the bad key of a corrupt config.json", async () => {
  const cases: [string, string][] = [
    ['{"url": 5, "store": []}', '"url" is not a string'],
    ['{"url": "http://ccgate.test", "store": "keyring"}', '"store" is "keyring", not one of file'],
    ['{"store": "file"}', '"url" is missing'],
    ['{"url": "not a url", "store": "file"}', '"url" is not a URL'],
    ['{"url": "http://ccgate.test", "store": "file", "gatewayUrl": 1}', '"gatewayUrl" is not'],
    ['{"url": "http://ccgate.test", "store": "file", "entra": []}', '"entra" is not'],
    ['{"url": "http://ccgate.te', "not JSON"],
    ["", "not JSON"],
    ["[]", "not a JSON object"],
    ["null", "not a JSON object"],
  ];
  await withTempDir(async (dir) => {
    for (const [text, what] of cases) {
      await Deno.writeTextFile(`${dir}/config.json`, text);
      const err = await assertRejects(() => loadCliConfig(dir), TokenStoreError);
      assertEquals(err.code, "store_corrupt", text);
      assertStringIncludes(err.message, `Cannot read "${dir}/config.json": ${what}`);
      assertStringIncludes(err.message, REWRITE);
    }
  });
});

Deno.test("loadCliConfig() reads a valid config", async () => {
  await withTempDir(async (dir) => {
    const config: CliConfig = {
      url: "http://ccgate.test",
      store: "file",
      gatewayUrl: "http://gw.test",
      entra: { authority: "https://login.test/t", clientId: "c", scope: "s" },
    };
    await Deno.writeTextFile(`${dir}/config.json`, JSON.stringify(config));
    assertEquals(await loadCliConfig(dir), config);
  });
});

Deno.test("loadCliConfig() names the folder when the config folder is a file", async () => {
  await withTempDir(async (parent) => {
    const dir = `${parent}/ccgate`;
    await Deno.writeTextFile(dir, "");
    const err = await assertRejects(() => loadCliConfig(dir), TokenStoreError);
    assertEquals(err.code, "store_failed");
    assertStringIncludes(err.message, `"${dir}"`);
    assertEquals(err.message.includes("os error"), false, err.message);
  });
});

Deno.test("storeFailure() names the path and the fix of a permission error", () => {
  const err = storeFailure(
    "read",
    "/home/u/.config/ccgate/config.json",
    new Deno.errors.PermissionDenied("Permission denied (os error 13)"),
  );
  assertEquals(err.code, "store_failed");
  assertEquals(
    err.message,
    'Cannot read "/home/u/.config/ccgate/config.json": permission denied; ' +
      'fix the permissions of "/home/u/.config/ccgate" (chmod 700) or set CCGATE_CONFIG_DIR',
  );
});

Deno.test("runCli() token, status and refresh exit 6 naming config.json when it is corrupt", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/config.json`, '{"url": 5, "store": []}');
    for (const args of [["token"], ["status"], ["status", "--json"], ["refresh"]]) {
      const deps = capturedDeps({ CCGATE_CONFIG_DIR: dir });
      assertEquals(await runCli(args, deps), 6, args.join(" "));
      assertEquals(deps.err, [
        `ccgate: Cannot read "${dir}/config.json": "url" is not a string (5); ${REWRITE}\n`,
      ]);
    }
  });
});

Deno.test("runCli() token, status, refresh and logout exit 6 naming the folder when it is a file", async () => {
  await withTempDir(async (parent) => {
    const dir = `${parent}/ccgate`;
    await Deno.writeTextFile(dir, "");
    for (const args of [["token"], ["status"], ["refresh"], ["logout"]]) {
      const deps = capturedDeps({ CCGATE_CONFIG_DIR: dir });
      assertEquals(await runCli(args, deps), 6, args.join(" "));
      assertEquals(deps.err.length, 1);
      assertStringIncludes(deps.err.join(""), `"${dir}"`);
      assertEquals(deps.err.join("").includes("os error"), false, deps.err.join(""));
    }
  });
});
