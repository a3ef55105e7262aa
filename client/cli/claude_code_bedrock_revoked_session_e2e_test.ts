/**
 * The real Claude Code in Bedrock mode with the real `ccgate token` as its
 * apiKeyHelper, when an admin has revoked the session while its access token
 * is still valid: the gateway refuses the token (401), Claude Code runs the
 * helper again, `ccgate token` refreshes and learns the session has ended,
 * and Claude Code, left without a token, is told not to retry.
 *
 * @module
 */
import { claudeCodeBedrockSettings } from "@ccgate/installer";
import { assertEquals, assertStringIncludes } from "../../testing/assert.ts";
import { startAuthStack } from "../../testing/auth_stack.ts";
import { runClaudeCode } from "../../testing/claude_code.ts";
import { seedFileSession } from "../_testing/seed_file_session.ts";
import { CLI_ARGS } from "../_testing/cli.ts";
import { FileTokenStore } from "../file_token_store.ts";
import { revoke } from "../revoke.ts";

const root = new URL("../../", import.meta.url).pathname;

Deno.test("Claude Code in Bedrock mode whose session an admin revoked stops at once: the gateway says to run ccgate token, which asks for login", async () => {
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
    // Claude Code's default retries: before, it sent an empty bearer token 10 times over about
    // three minutes, running the failing helper each time, then blamed the AWS credentials and
    // an "Invalid authorization header".
    const run = await runClaudeCode(
      "Say hello",
      claudeCodeBedrockSettings({ gatewayUrl: stack.url, apiKeyHelper: helper }),
    );
    assertEquals(run.code, 1, run.stdout + run.stderr);
    assertStringIncludes(run.stdout, "run `ccgate token` to see why");
    assertStringIncludes(run.stderr, "ccgate: Not signed in or session ended: run `ccgate login`");
    const helperFailures = run.stderr.split("\n").filter((l) =>
      l.startsWith("apiKeyHelper failed")
    );
    assertEquals(helperFailures.length, 1, run.stderr);
    assertEquals(stack.counts.refresh, 1);
    assertEquals(await store.load(), undefined, "the ended session is forgotten");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
