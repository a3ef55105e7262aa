/**
 * The load generator: a separate process, so it shares no event loop with
 * the servers it measures. Reads a job (JSON file named by the first
 * argument), runs it, prints JSON lines on stdout (progress lines, then one
 * `{"type":"result"}` line).
 *
 * `deno run --allow-net --allow-read bench/loadgen/main.ts <job.json>`
 *
 * @module
 */
import type {
  HoldJob,
  HoldResult,
  Job,
  OpenLoopJob,
  OpenLoopResult,
  PlateauLine,
  SequentialJob,
  SequentialResult,
  StreamsJob,
  StreamsResult,
  StreamStats,
} from "./jobs.ts";
import { exchange, prepare } from "./read_stream.ts";

/** CPU time of this process so far, ms (Linux; 0 elsewhere). */
async function ownCpuMs(): Promise<number> {
  try {
    const stat = await Deno.readTextFile("/proc/self/stat");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function sequential(job: SequentialJob): Promise<SequentialResult> {
  const targets = job.targets.map(prepare);
  const latencies: Record<string, number[]> = {};
  const gatewayMs: Record<string, number[]> = {};
  const errors: Record<string, number> = {};
  for (const t of targets) (latencies[t.name] = []), (gatewayMs[t.name] = []), (errors[t.name] = 0);
  let firstError: string | undefined;
  for (let i = 0; i < job.warmup + job.requests; i++) {
    // Rotate the order so no target always follows the same one.
    for (let k = 0; k < targets.length; k++) {
      const t = targets[(i + k) % targets.length]!;
      const x = await exchange(t);
      if (i < job.warmup) continue;
      if (x.complete) {
        latencies[t.name]!.push(x.totalMs);
        if (!Number.isNaN(x.gatewayMs)) gatewayMs[t.name]!.push(x.gatewayMs);
      } else {
        errors[t.name]!++;
        firstError ??= `${t.name}: ${x.error}`;
      }
    }
  }
  return { latencies, gatewayMs, errors, firstError };
}

async function openLoop(job: OpenLoopJob): Promise<OpenLoopResult> {
  const target = prepare(job.target);
  const interval = 1000 / job.rate;
  const total = Math.ceil((job.warmupMs + job.durationMs) / interval);
  const warmupCount = Math.ceil(job.warmupMs / interval);
  const latencies: number[] = [];
  let errors = 0;
  let maxLagMs = 0;
  let inFlight = 0;
  let firstError: string | undefined;
  const pending: Promise<void>[] = [];
  const start = performance.now() + 5;
  let i = 0;
  while (i < total) {
    const now = performance.now();
    while (i < total && start + i * interval <= now) {
      const scheduled = start + i * interval;
      const measured = i >= warmupCount;
      maxLagMs = Math.max(maxLagMs, now - scheduled);
      i++;
      if (inFlight >= job.maxInFlight) {
        if (measured) errors++;
        firstError ??= `more than ${job.maxInFlight} requests in flight`;
        continue;
      }
      inFlight++;
      pending.push(
        exchange(target, { startedAt: scheduled, signal: AbortSignal.timeout(10_000) }).then(
          (x) => {
            inFlight--;
            if (!measured) return;
            if (x.complete) latencies.push(x.totalMs);
            else {
              errors++;
              firstError ??= x.error;
            }
          },
        ),
      );
    }
    // Wake at the next send time (at most 5 ms away, so a late timer cannot skip a batch);
    // latency is counted from the scheduled time, so a late wake-up is charged, not hidden.
    const next = start + i * interval - performance.now();
    await sleep(Math.max(0, Math.min(next, 5)));
  }
  await Promise.all(pending);
  return { latencies, errors, scheduled: total - warmupCount, maxLagMs, firstError };
}

async function streams(job: StreamsJob): Promise<StreamsResult> {
  const targets = job.targets.map(prepare);
  const stats: Record<string, StreamStats> = {};
  for (const t of targets) stats[t.name] = { ttft: [], gaps: [], errors: 0, gatewayMs: [] };
  let firstError: string | undefined;
  const batches = Math.ceil(job.streams / job.concurrency);
  for (let b = 0; b < batches; b++) {
    for (let k = 0; k < targets.length; k++) {
      const t = targets[(b + k) % targets.length]!;
      const n = Math.min(job.concurrency, job.streams - b * job.concurrency);
      const results = await Promise.all(
        Array.from({ length: n }, () => exchange(t, { keepGaps: true })),
      );
      for (const x of results) {
        const s = stats[t.name]!;
        if (!x.complete) {
          s.errors++;
          firstError ??= `${t.name}: ${x.error}`;
          continue;
        }
        s.ttft.push(x.firstChunkMs);
        for (const g of x.gaps) s.gaps.push(g);
        if (!Number.isNaN(x.gatewayMs)) s.gatewayMs.push(x.gatewayMs);
      }
    }
  }
  return { stats, firstError };
}

async function hold(job: HoldJob): Promise<HoldResult> {
  const target = prepare(job.target);
  let open = 0;
  let peakOpen = 0;
  let firstBytes = 0;
  let settled = 0;
  let plateauSent = false;
  const result: HoldResult = {
    completed: 0,
    errors: 0,
    maxGapMs: 0,
    streamsOver200Ms: 0,
    peakOpen: 0,
    chunks: 0,
    ttft: [],
  };
  const plateau = () => {
    if (plateauSent || firstBytes + settled < job.streams) return;
    plateauSent = true;
    const line: PlateauLine = { type: "plateau", open };
    console.log(JSON.stringify(line));
  };
  const one = async () => {
    const x = await exchange(target, {
      keepGaps: true,
      signal: AbortSignal.timeout(job.timeoutMs),
      onFirstChunk: () => {
        open++;
        firstBytes++;
        peakOpen = Math.max(peakOpen, open);
        plateau();
      },
    });
    if (!Number.isNaN(x.firstChunkMs)) result.chunks += x.gaps.length + 1;
    if (!Number.isNaN(x.firstChunkMs)) open--;
    else {
      settled++;
      plateau();
    }
    if (!x.complete) {
      result.errors++;
      result.firstError ??= x.error;
      return;
    }
    result.completed++;
    result.ttft.push(x.firstChunkMs);
    const maxGap = x.gaps.reduce((a, b) => Math.max(a, b), 0);
    result.maxGapMs = Math.max(result.maxGapMs, maxGap);
    if (maxGap > 200) result.streamsOver200Ms++;
  };
  const all: Promise<void>[] = [];
  const start = performance.now();
  const cpuStart = await ownCpuMs();
  for (let i = 0; i < job.streams; i++) {
    const due = start + (i * job.rampMs) / job.streams;
    const wait = due - performance.now();
    // The ramp's schedule: streams open at a steady rate (a measured load, not a test's wait).
    if (wait > 1) await sleep(wait);
    all.push(one());
  }
  await Promise.all(all);
  result.peakOpen = peakOpen;
  result.cpuMs = await ownCpuMs() - cpuStart;
  result.wallMs = performance.now() - start;
  return result;
}

async function run(job: Job) {
  switch (job.kind) {
    case "sequential":
      return await sequential(job);
    case "open_loop":
      return await openLoop(job);
    case "streams":
      return await streams(job);
    case "hold":
      return await hold(job);
  }
}

if (import.meta.main) {
  const path = Deno.args[0];
  if (path === undefined) {
    console.error("usage: loadgen/main.ts <job.json>");
    Deno.exit(2);
  }
  const job = JSON.parse(await Deno.readTextFile(path)) as Job;
  console.log(JSON.stringify({ type: "result", result: await run(job) }));
}
