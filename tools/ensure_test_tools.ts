/**
 * Installs what the test suite needs besides Deno, idempotently: the real
 * Claude Code CLI from npm into `.tools/`. Run by `deno task test` (and so by
 * `.ci/run`), so a fresh clone needs nothing else.
 *
 * @module
 */
import { CLAUDE_CODE_VERSION, pinnedClaudeBin as claudeBin } from "../testing/claude_code.ts";
import { installClaudeCode } from "./install_claude_code.ts";

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
  console.error(
    `Installing @anthropic-ai/claude-code@${CLAUDE_CODE_VERSION} into .tools/ for the end-to-end tests`,
  );
  const installed = await installClaudeCode(prefix, CLAUDE_CODE_VERSION);
  if (!installed || await installedVersion() !== CLAUDE_CODE_VERSION) {
    console.error(
      "Cannot install Claude Code from npm: the end-to-end tests need it (is the npm registry reachable?)",
    );
    Deno.exit(1);
  }
}

// Headless Chromium for the dashboard's browser test (gateway/admin/dashboard_browser_test.ts),
// from Debian's package (CI runs on a clean Debian machine as root). If it cannot be installed the
// browser test fails and says why; it never skips.
const chromiumPath = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";

async function chromiumVersion(): Promise<string | undefined> {
  try {
    const out = await new Deno.Command(chromiumPath, {
      args: ["--version"],
      stdout: "piped",
      stderr: "null",
    }).output();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : undefined;
  } catch {
    return undefined;
  }
}

if (await chromiumVersion() === undefined) {
  console.error(`Installing chromium (apt-get) for the dashboard's browser test`);
  const apt = (args: string[]) =>
    new Deno.Command("apt-get", {
      args,
      env: { DEBIAN_FRONTEND: "noninteractive" },
      stdout: "null",
      stderr: "inherit",
    }).output().then((o) => o.success, () => false);
  const installed = await apt(["install", "-y", "chromium"]) ||
    (await apt(["update"]) && await apt(["install", "-y", "chromium"]));
  if (!installed || await chromiumVersion() === undefined) {
    console.error(
      `Cannot install chromium with apt-get (not root, or not Debian?): the dashboard's browser test will fail. ` +
        `Install it (apt-get install -y chromium) or set CHROMIUM_PATH.`,
    );
  }
}
