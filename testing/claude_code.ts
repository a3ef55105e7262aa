/**
 * Runs the real Claude Code CLI (npm `@anthropic-ai/claude-code`, installed
 * under `.tools/` by `tools/ensure_test_tools.ts`) against a local endpoint.
 *
 * @module
 */
import { denoDir } from "./deno_dir.ts";

/** The Claude Code version the end-to-end tests drive. */
export const CLAUDE_CODE_VERSION = "2.1.332";

const root = new URL("../", import.meta.url);

/**
 * Path of the `claude` binary the end-to-end tests run: `CCGATE_CLAUDE_BIN`
 * when set (the Claude Code canary, `deno task canary:claude-code`, points it
 * at the newest release), else the pinned one under `.tools/`.
 */
export const claudeBin = Deno.env.get("CCGATE_CLAUDE_BIN") ??
  new URL(".tools/node_modules/.bin/claude", root).pathname;

/** Path of the pinned `claude` binary, which `tools/ensure_test_tools.ts` installs. */
export const pinnedClaudeBin = new URL(".tools/node_modules/.bin/claude", root).pathname;

/** What one `claude -p` run printed. */
export interface ClaudeRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `claude -p <prompt> --settings <settings>` in a throw-away HOME, with
 * no Anthropic credentials in the environment: the only credential is what
 * the settings' `apiKeyHelper` prints.
 */
export async function runClaudeCode(
  prompt: string,
  settings: object,
  options: { extraArgs?: string[]; env?: Record<string, string> } = {},
): Promise<ClaudeRun> {
  const home = await Deno.makeTempDir({ prefix: "ccgate-claude-home-" });
  try {
    const settingsPath = `${home}/ccgate-settings.json`;
    await Deno.writeTextFile(settingsPath, JSON.stringify(settings));
    return await runClaudeCodeIn(
      home,
      ["-p", prompt, "--settings", settingsPath, ...(options.extraArgs ?? [])],
      {
        // An apiKeyHelper that runs `deno` must find the warm module cache, not a new HOME's.
        DENO_DIR: denoDir(),
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
        NO_COLOR: "1",
        ...options.env,
      },
    );
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

/**
 * Runs the real Claude Code with `args` in `home`, which is kept (a later
 * run finds the sessions of earlier ones), with only `HOME`, this PATH, no
 * auto-update and `env`: no Anthropic credentials but what its settings give.
 *
 * @param home The HOME (and working folder).
 * @param args Claude Code's arguments.
 * @param env More environment (`PATH` here replaces this process's).
 * @returns What it printed, and its exit code.
 */
export async function runClaudeCodeIn(
  home: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<ClaudeRun> {
  const out = await new Deno.Command(claudeBin, {
    args,
    env: {
      HOME: home,
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      DISABLE_AUTOUPDATER: "1",
      ...env,
    },
    clearEnv: true,
    cwd: home,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}
