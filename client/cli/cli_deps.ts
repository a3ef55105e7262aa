import type { CommandRunner } from "../command_runner.ts";

/** Everything the CLI takes from the machine; tests pass their own. */
export interface CliDeps {
  /** Reads an environment variable. */
  env: (name: string) => string | undefined;
  /** The operating system. */
  os: typeof Deno.build.os;
  /** `fetch`, for ccgate and Entra ID. */
  fetch: typeof fetch;
  /** Runs `security`, `secret-tool`, `powershell.exe`, `az`, the browser opener. */
  runner: CommandRunner;
  /** The clock. */
  now: () => Date;
  /** Writes to standard output. */
  stdout: (text: string) => void;
  /** Writes to standard error. */
  stderr: (text: string) => void;
  /** Whether standard error is a terminal (spinner, colour). */
  isTerminal: boolean;
  /** Waits between device code polls, and before retrying a refresh whose answer was lost. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Opens a URL in the browser; default: the OS opener through `runner`. */
  openBrowser?: (url: URL) => Promise<void>;
}
