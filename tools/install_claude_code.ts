/**
 * Installs one version of the real Claude Code CLI from npm under a folder
 * (`<prefix>/node_modules/.bin/claude`), for the end-to-end tests
 * (`ensure_test_tools.ts`, the pinned one) and the canary
 * (`claude_code_canary.ts`, the newest).
 *
 * @module
 */

/**
 * Runs `npm install` of `@anthropic-ai/claude-code@<version>` into `prefix`.
 *
 * @param prefix The folder (created if missing).
 * @param version A version or `latest`.
 * @returns Whether npm succeeded.
 */
export async function installClaudeCode(prefix: string, version: string): Promise<boolean> {
  await Deno.mkdir(prefix, { recursive: true });
  const out = await new Deno.Command("npm", {
    args: [
      "install",
      "--prefix",
      prefix,
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      `@anthropic-ai/claude-code@${version}`,
    ],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  return out.success;
}
