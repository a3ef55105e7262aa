/**
 * The Claude Code canary (`deno task canary:claude-code`): runs every
 * end-to-end test that drives the real Claude Code against the newest release
 * on npm instead of the pinned one (`CLAUDE_CODE_VERSION` in
 * testing/claude_code.ts), so that a Claude Code release ccgate does not
 * handle yet shows before developers install it. The pinned version keeps the
 * test suite deterministic; this is the drift check beside it (the pin had
 * fallen five months behind, and the current Claude Code broke 8 tests).
 * `--version X` tries another version. Exits with the tests' code.
 *
 * @module
 */
import { CLAUDE_CODE_VERSION } from "../testing/claude_code.ts";
import { installClaudeCode } from "./install_claude_code.ts";

const root = new URL("../", import.meta.url).pathname;

/**
 * The test files that drive the real Claude Code: those that import
 * `runClaudeCode` (or the binary's path). Pure.
 *
 * @param files Test files with their text.
 * @returns Their paths, sorted.
 *
 * @example
 * ```ts
 * import { claudeCodeTestFiles } from "./claude_code_canary.ts";
 * const files = claudeCodeTestFiles([
 *   { path: "a_test.ts", text: 'import { runClaudeCode } from "../testing/claude_code.ts";' },
 *   { path: "b_test.ts", text: "Deno.test(...)" },
 * ]);
 * console.assert(files.join() === "a_test.ts");
 * ```
 */
export function claudeCodeTestFiles(files: readonly { path: string; text: string }[]): string[] {
  return files
    .filter((f) => /\b(?:runClaudeCode(?:In)?|claudeBin)\b/.test(f.text))
    .map((f) => f.path)
    .sort();
}

async function _testFiles(dir: string, out: { path: string; text: string }[] = []) {
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) await _testFiles(path, out);
    else if (entry.name.endsWith("_test.ts")) {
      out.push({ path, text: await Deno.readTextFile(path) });
    }
  }
  return out;
}

async function _run(cmd: string, args: string[], env?: Record<string, string>) {
  return await new Deno.Command(cmd, { args, env, cwd: root, stdout: "inherit", stderr: "inherit" })
    .output();
}

if (import.meta.main) {
  const at = Deno.args.indexOf("--version");
  const wanted = at >= 0 ? Deno.args[at + 1] : "latest";
  if (wanted === undefined || !/^(?:latest|\d+\.\d+\.\d+)$/.test(wanted)) {
    console.error(
      `Cannot use --version "${wanted ?? ""}": expected latest or a version like 2.1.332`,
    );
    Deno.exit(2);
  }
  const prefix = `${root}.tools/canary`;
  console.error(`Installing @anthropic-ai/claude-code@${wanted} into .tools/canary`);
  if (!await installClaudeCode(prefix, wanted)) {
    console.error("Cannot install Claude Code from npm (is the npm registry reachable?)");
    Deno.exit(1);
  }
  const bin = `${prefix}/node_modules/.bin/claude`;
  const version = new TextDecoder().decode(
    (await new Deno.Command(bin, { args: ["--version"], stdout: "piped" }).output()).stdout,
  ).trim().split(" ")[0];
  const files = claudeCodeTestFiles(await _testFiles(root.replace(/\/$/, "")));
  console.error(
    `Claude Code ${version} (pinned: ${CLAUDE_CODE_VERSION}): ${files.length} end-to-end test files`,
  );
  const tests = await _run("deno", ["test", "--allow-all", "--parallel", ...files], {
    CCGATE_CLAUDE_BIN: bin,
  });
  Deno.exit(tests.code);
}
