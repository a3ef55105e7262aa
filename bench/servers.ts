/**
 * Starts the benchmark's processes (servers and the load generator) with
 * `deno run`, each optionally pinned to CPUs with `taskset`, and reads their
 * memory from `/proc`. The only file of the harness that spawns processes.
 *
 * @module
 */
import type { Job, PlateauLine, ResultLine } from "./loadgen/jobs.ts";
import type { MemoryProbe } from "./servers/memory_probe.ts";

/** The repository root: every process runs there, so the root deno.json applies. */
export const ROOT: URL = new URL("../", import.meta.url);

/** How to run a benchmark process. */
export interface SpawnOptions {
  /** CPUs to pin to (a `taskset -c` list, e.g. `"1"`); unset: not pinned. */
  cpus?: string;
  /** Extra environment. */
  env?: Record<string, string>;
  /** Extra `deno run` flags (e.g. `--cpu-prof`). */
  denoFlags?: string[];
  /** A cgroup's `cgroup.procs` file to join before Deno starts (see cgroup.ts). */
  cgroupProcs?: string;
}

/** A running server process that printed its ready line. */
export interface ServerProcess<Info> extends AsyncDisposable {
  /** What the server printed when ready. */
  info: Info;
  /** OS process id. */
  pid: number;
  /** The last 16 KiB of its stderr. */
  stderrTail(): string;
  /** Stops it (SIGTERM, then SIGKILL after 3 s). */
  stop(): Promise<void>;
  /** Settles when the process has exited, for whatever reason. */
  status: Promise<Deno.CommandStatus>;
}

let tasksetChecked: boolean | undefined;

/** Whether `taskset` can pin processes here (Linux with util-linux). */
export async function canPin(): Promise<boolean> {
  if (tasksetChecked !== undefined) return tasksetChecked;
  try {
    const out = await new Deno.Command("taskset", {
      args: ["-c", "0", "true"],
      stdout: "null",
      stderr: "null",
    })
      .output();
    tasksetChecked = out.success;
  } catch {
    tasksetChecked = false;
  }
  return tasksetChecked;
}

function command(script: string, args: string[], options: SpawnOptions, stdin: "null" | "piped") {
  const denoArgs = ["run", "--allow-all", ...(options.denoFlags ?? []), script, ...args];
  let [cmd, cmdArgs] = options.cpus === undefined
    ? [Deno.execPath(), denoArgs]
    : ["taskset", ["-c", options.cpus, Deno.execPath(), ...denoArgs]];
  if (options.cgroupProcs !== undefined) {
    // The shell joins the cgroup, then becomes the command: Deno starts inside the limit.
    cmdArgs = ["-c", 'echo $$ > "$0" && exec "$@"', options.cgroupProcs, cmd, ...cmdArgs];
    cmd = "sh";
  }
  return new Deno.Command(cmd, {
    args: cmdArgs,
    cwd: ROOT,
    env: { NO_COLOR: "1", ...options.env },
    stdin,
    stdout: "piped",
    stderr: "piped",
  });
}

/**
 * Pins this process (every thread) to `cpus`, so that reading the servers' output never
 * runs on the server's CPU (a woken pipe reader is scheduled beside the writer by default).
 */
export async function pinSelf(cpus: string): Promise<void> {
  await new Deno.Command("taskset", {
    args: ["-a", "-p", "-c", cpus, String(Deno.pid)],
    stdout: "null",
    stderr: "null",
  }).output();
}

/** Keeps the last `max` characters of a stream, reading it to its end in the background. */
function tail(stream: ReadableStream<Uint8Array>, max = 16_384): () => string {
  let text = "";
  (async () => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      text = (text + chunk).slice(-max);
    }
  })().catch(() => {});
  return () => text;
}

/** Reads lines of a stream, in order. */
async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buffer = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    let at;
    while ((at = buffer.indexOf("\n")) >= 0) {
      yield buffer.slice(0, at);
      buffer = buffer.slice(at + 1);
    }
  }
  if (buffer !== "") yield buffer;
}

/**
 * Starts a server script that prints one JSON line on stdout when ready.
 *
 * @param script Path from the repository root.
 * @param args Script arguments.
 * @param options CPUs, environment, flags.
 * @returns The running server.
 */
export async function startServer<Info extends { pid: number }>(
  script: string,
  args: string[],
  options: SpawnOptions = {},
): Promise<ServerProcess<Info>> {
  const child = command(script, args, options, "null").spawn();
  const stderrTail = tail(child.stderr);
  const out = lines(child.stdout);
  const first = await out.next();
  if (first.done) {
    await child.status;
    throw new Error(`Cannot start ${script}: it exited before ready\n${stderrTail()}`);
  }
  // Drain the rest of stdout so the server never blocks on a full pipe.
  (async () => {
    for await (const _ of out);
  })().catch(() => {});
  const info = JSON.parse(first.value) as Info;
  let stopped: Promise<void> | undefined;
  const stop = () =>
    stopped ??= (async () => {
      try {
        child.kill("SIGTERM");
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* already gone */ }
      }, 3_000);
      await child.status;
      clearTimeout(timer);
    })();
  return {
    info,
    pid: info.pid,
    stderrTail,
    stop,
    status: child.status,
    [Symbol.asyncDispose]: stop,
  };
}

/**
 * Runs a load generator job in its own process.
 *
 * @param job The job.
 * @param options CPUs and `onPlateau`, called when a hold job has every stream open.
 * @returns The job's result.
 */
export async function runLoadgen<R>(
  job: Job,
  options: SpawnOptions & { onPlateau?: (line: PlateauLine) => void | Promise<void> } = {},
): Promise<R> {
  const file = await Deno.makeTempFile({ prefix: "ccgate-bench-job-", suffix: ".json" });
  try {
    await Deno.writeTextFile(file, JSON.stringify(job));
    const child = command("bench/loadgen/main.ts", [file], options, "null").spawn();
    const stderrTail = tail(child.stderr);
    let result: R | undefined;
    for await (const line of lines(child.stdout)) {
      const parsed = JSON.parse(line) as PlateauLine | ResultLine;
      if (parsed.type === "plateau") await options.onPlateau?.(parsed);
      else result = parsed.result as R;
    }
    const status = await child.status;
    if (!status.success || result === undefined) {
      throw new Error(`Load generator failed (exit ${status.code})\n${stderrTail()}`);
    }
    return result;
  } finally {
    await Deno.remove(file).catch(() => {});
  }
}

/**
 * A process's resident memory (`VmRSS` in `/proc/<pid>/status`), KiB.
 *
 * @param pid The process id.
 * @returns Resident set size in KiB.
 */
export async function rssKiB(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error(`Cannot read the memory of process ${pid}: no VmRSS`);
  return Number(match[1]);
}

/**
 * CPU time a process has used so far (user + system, from `/proc/<pid>/stat`), ms.
 *
 * @param pid The process id.
 * @returns Milliseconds of CPU time, at the kernel's clock-tick resolution (usually 10 ms).
 */
export async function cpuMs(pid: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  // Fields after the command name (which may contain spaces) start at ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks * 10;
}

/**
 * Asks a server started with a memory probe (see servers/memory_probe.ts) for
 * its memory after a full garbage collection.
 *
 * @param pid The server's process id.
 * @param file The server's `BENCH_MEMORY_FILE`.
 * @returns What the probe wrote.
 */
export async function probeMemory(pid: number, file: string): Promise<MemoryProbe> {
  await Deno.remove(file).catch(() => {});
  Deno.kill(pid, "SIGUSR2");
  for (let i = 0; i < 500; i++) {
    try {
      return JSON.parse(await Deno.readTextFile(file)) as MemoryProbe;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  throw new Error(`Cannot probe the memory of process ${pid}: no answer in 5 s`);
}
