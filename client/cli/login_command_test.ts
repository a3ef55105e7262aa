import { assert, assertEquals, assertStringIncludes } from "../../testing/assert.ts";
import { type AuthStack, startAuthStack } from "../../testing/auth_stack.ts";
import { capturedDeps } from "./_fake_deps.ts";
import { runCli } from "./run_cli.ts";
import { withTempDir } from "../../testing/with_temp_dir.ts";

/** A runner answering `az` with a fresh Entra token, and `secret-tool` with `secretTool`. */
async function azureCli(
  stack: AuthStack,
  secretTool: (args: string[]) => { code: number; stderr: string } | "missing" = () => "missing",
) {
  const entraToken = await stack.entra.mintAccessToken({ user: { oid: "oid-carol" } });
  return (command: string, args: string[]) => {
    if (command === "az") {
      return { stdout: JSON.stringify({ accessToken: entraToken, expires_on: 1893456000 }) };
    }
    if (command === "secret-tool") return secretTool(args);
    return "missing" as const;
  };
}

/** `ccgate login --azure-cli` with a file store in `dir`, which must fail with exit 6 and one line. */
async function failedLogin(stack: AuthStack, dir: string) {
  const deps = capturedDeps(
    { CCGATE_CONFIG_DIR: dir, CCGATE_STORE: "file" },
    await azureCli(stack),
  );
  assertEquals(await runCli(["login", "--azure-cli", "--url", stack.url], deps), 6);
  const err = deps.err.join("");
  assertEquals(err.trimEnd().split("\n").length, 1, err);
  return { deps, err };
}

Deno.test("loginCommand() fails before sign-in when session.json is a folder", async () => {
  await using stack = await startAuthStack();
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/session.json`);
    const { deps, err } = await failedLogin(stack, dir);
    assertStringIncludes(err, `"${dir}/session.json"`);
    assertStringIncludes(err, "move it away");
    assertEquals(deps.commands.filter((c) => c.command === "az"), [], "no sign-in started");
    assertEquals(stack.counts.exchange, 0);
  });
});

Deno.test("loginCommand() fails before sign-in when the config folder is a file", async () => {
  await using stack = await startAuthStack();
  await withTempDir(async (parent) => {
    const dir = `${parent}/ccgate`;
    await Deno.writeTextFile(dir, "not a folder");
    const { deps, err } = await failedLogin(stack, dir);
    assertStringIncludes(err, dir);
    assert(!err.includes("os error"), err);
    assertEquals(deps.commands.filter((c) => c.command === "az"), []);
    assertEquals(stack.counts.exchange, 0);
    assertEquals(await Deno.readTextFile(dir), "not a folder");
  });
});

Deno.test("loginCommand() revokes the new session when it cannot be stored", async () => {
  await using stack = await startAuthStack();
  await withTempDir(async (dir) => {
    // The Secret Service reads (nothing stored) but refuses writes: the keyring is locked.
    const runner = await azureCli(
      stack,
      (args) =>
        args[0] === "store"
          ? { code: 1, stderr: "Cannot create an item in a locked collection" }
          : {
            code: 1,
            stderr: "",
          },
    );
    const deps = capturedDeps({ CCGATE_CONFIG_DIR: dir, CCGATE_STORE: "secret-service" }, runner);
    assertEquals(await runCli(["login", "--azure-cli", "--url", stack.url], deps), 6);
    const err = deps.err.join("");
    assertEquals(err.trimEnd().split("\n").length, 1, err);
    assertStringIncludes(err, "the new session was ended on the server");
    assertEquals(stack.counts.exchange, 1);
    assertEquals(stack.counts.revoke, 1);
  });
});
