/**
 * Installs what the test suite needs besides Deno, idempotently: the real
 * Claude Code CLI from npm into `.tools/`. Run by `deno task test` (and so by
 * `.ci/run`), so a fresh clone needs nothing else.
 *
 * @module
 */
import { CLAUDE_CODE_VERSION, claudeBin } from "../testing/claude_code.ts";

async function installedVersion(): Promise<string | undefined> {
  try {
    const out = await new Deno.Command(claudeBin, {
      args: ["--version"],
      stdout: "piped",
      stderr: "null",
    })
      .output();
    return new TextDecoder().decode(out.stdout).trim().split(" ")[0];
  } catch {
    return undefined;
  }
}

if (await installedVersion() !== CLAUDE_CODE_VERSION) {
  const prefix = new URL("../.tools/", import.meta.url).pathname;
  await Deno.mkdir(prefix, { recursive: true });
  console.error(
    `Installing @anthropic-ai/claude-code@${CLAUDE_CODE_VERSION} into .tools/ for the end-to-end tests`,
  );
  const out = await new Deno.Command("npm", {
    args: [
      "install",
      "--prefix",
      prefix,
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      `@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION}`,
    ],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!out.success || await installedVersion() !== CLAUDE_CODE_VERSION) {
    console.error(
      "Cannot install Claude Code from npm: the end-to-end tests need it (is the npm registry reachable?)",
    );
    Deno.exit(1);
  }
}
