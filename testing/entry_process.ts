/**
 * Entry points (`main.ts`, `gateway/main.ts`, `auth/main.ts`) run as child
 * processes for the tests that drive them over real sockets.
 *
 * @module
 */

const ROOT = new URL("../", import.meta.url).pathname;

/** A free TCP port on the loopback interface (for a child's `PORT`). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

/** A running entry point. */
export interface EntryProcess extends AsyncDisposable {
  /** What it wrote to stderr so far. */
  output(): string;
  /** Sends a signal without waiting. */
  kill(signal: Deno.Signal): void;
  /** Sends `signal` (once) and waits until it exited and its stderr is read. */
  stop(signal?: Deno.Signal): Promise<void>;
}

/**
 * Starts `deno run` of an entry point from the repository root, with an
 * in-memory KV and no colours unless `env` says otherwise, and waits until
 * its stderr matches `ready`; stderr is read on (so the child never blocks
 * on a full pipe) into {@linkcode EntryProcess.output}.
 *
 * @param entry The entry point, relative to the repository root.
 * @param env Its environment (added to the test's).
 * @param ready What its stderr shows once it is up.
 * @param disposeSignal The signal `await using` stops it with. @default {"SIGTERM"}
 * @returns The process.
 */
export function startEntry(
  entry: string,
  env: Record<string, string>,
  ready: RegExp,
  disposeSignal: Deno.Signal = "SIGTERM",
): Promise<EntryProcess> {
  return startDeno(
    ["run", "--allow-net", "--allow-env", "--allow-read", "--allow-write", "--allow-sys", entry],
    { cwd: ROOT, env: { NO_COLOR: "1", CCGATE_KV_PATH: ":memory:", ...env } },
    ready,
    disposeSignal,
  );
}

/** Where and with what environment {@linkcode startDeno} runs its child. */
export interface StartDenoOptions {
  /** Its working directory. */
  cwd: string;
  /** Its environment. */
  env: Record<string, string>;
  /** Only `env`, not the test's too. @default {false} */
  clearEnv?: boolean;
}

/**
 * Starts `deno` with `args` and waits until its stderr matches `ready` (see
 * {@linkcode startEntry}, which runs an entry point of the repository).
 *
 * @param args Deno's arguments.
 * @param options Working directory and environment.
 * @param ready What its stderr shows once it is up.
 * @param disposeSignal The signal `await using` stops it with. @default {"SIGTERM"}
 * @returns The process.
 * @throws {Error} When it exits before its stderr matches `ready` (the message has its stderr).
 */
export async function startDeno(
  args: string[],
  options: StartDenoOptions,
  ready: RegExp,
  disposeSignal: Deno.Signal = "SIGTERM",
): Promise<EntryProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: options.cwd,
    env: options.env,
    clearEnv: options.clearEnv,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!ready.test(seen)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`deno ${args.join(" ")} exited: ${seen}`);
    seen += value;
  }
  const drained = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      seen += value;
    }
  })();
  let stopped = false;
  const stop = async (signal: Deno.Signal = "SIGTERM") => {
    if (stopped) return;
    stopped = true;
    child.kill(signal);
    await child.status;
    await drained;
  };
  return {
    output: () => seen,
    kill(signal) {
      child.kill(signal);
    },
    stop,
    [Symbol.asyncDispose]: () => stop(disposeSignal),
  };
}
