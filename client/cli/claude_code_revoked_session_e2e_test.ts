/**
 * The real Claude Code with the real `ccgate token` as its apiKeyHelper,
 * when an admin has revoked the session while its access token is still
 * valid: the gateway refuses the token, Claude Code runs the helper again,
 * and `ccgate token`, asked again for the token it just printed, refreshes
 * and learns the session has ended. In Bedrock mode Claude Code then sends an
 * empty bearer token, which the gateway tells it not to retry.
 *
 * @module
 */
import { claudeCodeBedrockSettings, claudeCodeSettings } from "@ccgate/installer";
import { assertEquals, assertStringIncludes } from "../../testing/assert.ts";
import { type AuthStack, startAuthStack } from "../../testing/auth_stack.ts";
import { runClaudeCode } from "../../testing/claude_code.ts";
import { seedFileSession } from "../_testing/seed_file_session.ts";
import { CLI_ARGS } from "../_testing/cli.ts";
import { FileTokenStore } from "../file_token_store.ts";
import { revoke } from "../revoke.ts";

const root = new URL("../../", import.meta.url).pathname;

/**
 * A session signed in to `stack`, its token printed to Claude Code two
 * minutes ago (as at the start of a working session; an hour left), then
 * revoked by the auth service; `helper` is the real `ccgate token` over it.
 */
async function revokedSession(stack: AuthStack) {
  const dir = await Deno.makeTempDir({ prefix: "ccgate-revoked-" });
  await seedFileSession(stack, dir);
  const store = new FileTokenStore(`${dir}/session.json`);
  const session = (await store.load())!;
  await store.save({ ...session, expiresAt: session.expiresAt - 120_000 });
  await revoke(`${stack.url}/oauth/revoke`, session.refreshToken!);
  return {
    store,
    helper: `cd ${root} && CCGATE_CONFIG_DIR=${dir} ${Deno.execPath()} ${CLI_ARGS.join(" ")} token`,
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}

Deno.test("Claude Code whose session an admin revoked stops at once: ccgate token asks for login", async () => {
  await using stack = await startAuthStack({ gateway: true });
  await using revoked = await revokedSession(stack);
  // Claude Code's default retries: before, it tried the same token 13 times over about 4
  // minutes, then showed the gateway's 401.
  const run = await runClaudeCode(
    "Say hello",
    claudeCodeSettings({ gatewayUrl: stack.url, apiKeyHelper: revoked.helper }),
  );
  assertEquals(run.code, 1, run.stdout + run.stderr);
  assertStringIncludes(run.stdout, "Your apiKeyHelper script is failing");
  assertStringIncludes(run.stderr, "ccgate: Not signed in or session ended: run `ccgate login`");
  assertEquals(stack.counts.refresh, 1);
  assertEquals(await revoked.store.load(), undefined, "the ended session is forgotten");
});

Deno.test("Claude Code in Bedrock mode whose session an admin revoked stops at once: the gateway says to run ccgate token, which asks for login", async () => {
  await using stack = await startAuthStack({ gateway: true });
  await using revoked = await revokedSession(stack);
  // Claude Code's default retries: before, it sent an empty bearer token 10 times over about
  // three minutes, running the failing helper each time, then blamed the AWS credentials and
  // an "Invalid authorization header".
  const run = await runClaudeCode(
    "Say hello",
    claudeCodeBedrockSettings({ gatewayUrl: stack.url, apiKeyHelper: revoked.helper }),
  );
  assertEquals(run.code, 1, run.stdout + run.stderr);
  assertStringIncludes(run.stdout, "run `ccgate token` to see why");
  assertStringIncludes(run.stderr, "ccgate: Not signed in or session ended: run `ccgate login`");
  const helperFailures = run.stderr.split("\n").filter((l) => l.startsWith("apiKeyHelper failed"));
  assertEquals(helperFailures.length, 1, run.stderr);
  assertEquals(stack.counts.refresh, 1);
  assertEquals(await revoked.store.load(), undefined, "the ended session is forgotten");
});
