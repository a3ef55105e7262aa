/**
 * The real Claude Code with the real `ccgate token` as its apiKeyHelper,
 * when an admin has revoked the session while its access token is still
 * valid: the gateway refuses the token, Claude Code runs the helper again,
 * and `ccgate token`, asked again for the token it just printed, refreshes
 * and learns the session has ended.
 *
 * @module
 */
import { claudeCodeSettings } from "@ccgate/installer";
import { assertEquals, assertStringIncludes } from "../../testing/assert.ts";
import { startAuthStack } from "../../testing/auth_stack.ts";
import { runClaudeCode } from "../../testing/claude_code.ts";
import { seedFileSession } from "../_testing/seed_file_session.ts";
import { CLI_ARGS } from "../_testing/cli.ts";
import { FileTokenStore } from "../file_token_store.ts";
import { revoke } from "../revoke.ts";

const root = new URL("../../", import.meta.url).pathname;

Deno.test("Claude Code whose session an admin revoked stops at once: ccgate token asks for login", async () => {
  await using stack = await startAuthStack({ gateway: true });
  const dir = await Deno.makeTempDir({ prefix: "ccgate-revoked-" });
  try {
    await seedFileSession(stack, dir);
    const store = new FileTokenStore(`${dir}/session.json`);
    const session = (await store.load())!;
    // Printed to Claude Code two minutes ago (as at the start of a working session); an hour left.
    await store.save({ ...session, expiresAt: session.expiresAt - 120_000 });
    await revoke(`${stack.url}/oauth/revoke`, session.refreshToken!);
    const helper = `cd ${root} && CCGATE_CONFIG_DIR=${dir} ${Deno.execPath()} ${
      CLI_ARGS.join(" ")
    } token`;
    // Claude Code's default retries: before, it tried the same token 13 times over about 4
    // minutes, then showed the gateway's 401.
    const run = await runClaudeCode(
      "Say hello",
      claudeCodeSettings({ gatewayUrl: stack.url, apiKeyHelper: helper }),
    );
    assertEquals(run.code, 1, run.stdout + run.stderr);
    assertStringIncludes(run.stdout, "Your apiKeyHelper script is failing");
    assertStringIncludes(run.stderr, "ccgate: Not signed in or session ended: run `ccgate login`");
    assertEquals(stack.counts.refresh, 1);
    assertEquals(await store.load(), undefined, "the ended session is forgotten");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
