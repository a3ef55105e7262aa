/**
 * S3 at scale and memory: many streams held open at once through the gateway
 * (and, for reference, the bare proxy).
 *
 * - scale: stream counts from the plan's ladder, each opened over a ramp of
 *   400 streams/s and long enough to all be open together for the plan's hold time; a level
 *   is held when every stream completes and none saw a gap above 200 ms.
 * - memory: streams paced at 250 ms held open; the server's RSS while they
 *   are all open minus its RSS just before, divided by the open streams.
 *
 * @module
 */
import {
  type BenchContext,
  type BenchServers,
  type ScenarioResult,
  serversOf,
} from "../context.ts";
import type { HoldResult, RequestSpec } from "../loadgen/jobs.ts";
import { summarizeRounds } from "../percentiles.ts";
import { cpuMs, probeMemory, rssKiB, runLoadgen } from "../servers.ts";
import { TARGETS } from "../targets.ts";

/**
 * Share of the load side's CPUs, averaged over a level, above which a failed level is put down
 * to the load side (its ramp's bursts fill the CPUs well before the average does).
 */
const LOAD_SIDE_SATURATED = 0.75;

/** The unmeasured warm-up before the ladder: streams, and frames per stream. */
const WARM_UP_STREAMS = 100;
const WARM_UP_FRAMES = 10;

/** Streams opened per second during a ramp. */
const RAMP_PER_SECOND = 400;

const spec = (id: string) => TARGETS.find((t) => t.id === id)!;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Unmeasured streams through a server, so that the measure after them does
 * not include its first compilation of the hot paths.
 */
export async function warmUp(
  context: BenchContext,
  target: RequestSpec,
  warm: { streams: number; frames: number; firstByteDelayMs: number; paceMs: number },
): Promise<void> {
  const { streams, frames, firstByteDelayMs, paceMs } = warm;
  await context.setTiming({ firstByteDelayMs, paceMs, frames });
  await runLoadgen<HoldResult>({
    kind: "hold",
    target,
    streams,
    rampMs: 500,
    timeoutMs: 500 + frames * paceMs + 15_000,
  }, { cpus: context.loadCpus });
}

/** Runs S3 at scale. */
export async function runScale(context: BenchContext): Promise<ScenarioResult> {
  const servers = serversOf(context);
  const { plan, upstreamMs, paceMs } = context.options;
  const req = context.requests(true);
  const levels: Record<
    string,
    {
      streams: number;
      result: HoldResult;
      held: boolean;
      cpu: { server: number; emulator: number; loadgen: number; usPerFrame: number };
    }[]
  > = {
    gateway: [],
    proxy: [],
  };
  const held = { gateway: 0, proxy: 0 };
  for (const name of ["gateway", "proxy"] as const) {
    // Unmeasured first: a cold server spends the first ramp compiling its hot paths, and the
    // streams already open wait behind that (gaps of 300 ms at 100 streams, none once warm).
    await warmUp(context, req[name], {
      streams: WARM_UP_STREAMS,
      frames: WARM_UP_FRAMES,
      firstByteDelayMs: upstreamMs,
      paceMs,
    });
    for (const streams of plan.scaleLevels) {
      const rampMs = Math.max(500, (streams / RAMP_PER_SECOND) * 1000);
      const frames = Math.ceil((rampMs + plan.scaleHoldMs) / Math.max(1, paceMs));
      await context.setTiming({ firstByteDelayMs: upstreamMs, paceMs, frames });
      const server = servers[name];
      const before = [
        await cpuMs(server.pid),
        await cpuMs(servers.emulator.pid),
        performance.now(),
      ];
      const result = await runLoadgen<HoldResult>({
        kind: "hold",
        target: req[name],
        streams,
        rampMs,
        timeoutMs: rampMs + frames * paceMs + 15_000,
      }, { cpus: context.loadCpus });
      const elapsed = performance.now() - before[2]!;
      // Share of one CPU each process used over the level: which one ran out first.
      const serverCpuMs = await cpuMs(server.pid) - before[0]!;
      const cpu = {
        server: serverCpuMs / elapsed,
        emulator: (await cpuMs(servers.emulator.pid) - before[1]!) / elapsed,
        loadgen: (result.cpuMs ?? 0) / Math.max(1, result.wallMs ?? 1),
        // CPU of the server per frame it relayed (request handling included), microseconds.
        usPerFrame: (serverCpuMs * 1000) / Math.max(1, result.chunks),
      };
      const ok = result.errors === 0 && result.streamsOver200Ms === 0 &&
        result.completed === streams;
      levels[name]!.push({ streams, result, held: ok, cpu });
      context.progress(
        `  scale ${name} ${streams} streams (${frames} frames): CPU ${name} ${
          (cpu.server * 100).toFixed(0)
        } %, emulator ${(cpu.emulator * 100).toFixed(0)} %, load generator ${
          (cpu.loadgen * 100).toFixed(0)
        } %; peak open ${result.peakOpen}, ` +
          `max gap ${result.maxGapMs.toFixed(0)} ms, ${result.streamsOver200Ms} over 200 ms, ` +
          `${result.errors} errors${result.firstError ? ` (${result.firstError})` : ""} ${
            ok ? "held" : "NOT held"
          }`,
      );
      if (!ok) break;
      held[name] = streams;
    }
  }
  const failed = levels.gateway!.find((l) => !l.held);
  // The emulator and the load generator share the load side's CPUs: when they were nearly all
  // busy, the gaps came from there, and the level says how far this machine goes, not the server.
  const loadCpus = context.loadCpuCount;
  const loadSide = (level: { cpu: { emulator: number; loadgen: number } }) => {
    if (loadCpus === undefined) return "";
    const share = (level.cpu.emulator + level.cpu.loadgen) / loadCpus;
    return `; load side (emulator + load generator) ${
      (share * 100).toFixed(0)
    } % of its ${loadCpus} CPU${loadCpus === 1 ? "" : "s"}${
      share >= LOAD_SIDE_SATURATED
        ? ": saturated, so this level measures the machine, not the server"
        : ""
    }`;
  };
  return {
    rows: [{
      spec: spec("s3_scale_streams"),
      value: summarizeRounds([held.gateway]),
      proxy: held.proxy,
      note:
        `levels tried ${plan.scaleLevels.join(", ")}; CPU per frame relayed: gateway ${
          levels.gateway![0]?.cpu.usPerFrame.toFixed(0) ?? "-"
        } µs, proxy ${levels.proxy![0]?.cpu.usPerFrame.toFixed(0) ?? "-"} µs` +
        (failed
          ? `; at ${failed.streams}: max gap ${
            failed.result.maxGapMs.toFixed(0)
          } ms, ${failed.result.streamsOver200Ms} streams over 200 ms, ${failed.result.errors} errors${
            loadSide(failed)
          }`
          : "; every level held"),
    }],
    details: { levels },
  };
}

/** What the memory measure saw for one server. */
export interface MemoryReading {
  /** RSS before the streams, KiB. */
  idleKiB: number;
  /** RSS with every stream open, KiB. */
  openKiB: number;
  /** Streams open when read. */
  open: number;
  /** RSS once the streams ended, KiB. */
  afterKiB: number;
  /** (open − idle) / open streams, KiB: the measure. */
  perStreamKiB: number;
  /** V8 heap in use after a full collection, per open stream, KiB: what a stream holds. */
  heapPerStreamKiB: number;
  /** Memory outside the V8 heap (buffers) after a full collection, per open stream, KiB. */
  externalPerStreamKiB: number;
}

/**
 * Streams paced at 250 ms held open through one server: its RSS with every
 * stream open against just before, and what a stream holds after a full GC.
 * With `waiting`, the requests are held before Bedrock's first byte instead
 * (as they are for the seconds a real model takes to start answering), and
 * read once all of them have reached the emulator.
 */
export async function memoryOf(
  context: BenchContext,
  target: RequestSpec,
  pid: number,
  probeFile: string,
  streams: number,
  { waiting = false }: { waiting?: boolean } = {},
): Promise<MemoryReading> {
  const paceMs = 250;
  const rampMs = Math.max(500, (streams / RAMP_PER_SECOND) * 1000);
  // Waiting: long enough after the ramp for the readings and the probe's collections (up to 2 s).
  const firstByteDelayMs = waiting ? rampMs + 6_000 : 0;
  const frames = waiting ? 4 : Math.ceil((rampMs + 3_000) / paceMs);
  await context.setTiming({ firstByteDelayMs, paceMs, frames });
  const idleProbe = await probeMemory(pid, probeFile);
  // RSS, not the probe, is what the target is about: let the probe's own allocations settle first.
  await sleep(200);
  const idleKiB = await rssKiB(pid);
  let openKiB = 0;
  let open = 0;
  let openProbe = idleProbe;
  const read = async (count: number) => {
    open = count;
    openKiB = await rssKiB(pid);
    // A second reading a moment later: the plateau's peak, not the instant the last stream opened.
    await sleep(300);
    openKiB = Math.max(openKiB, await rssKiB(pid));
    openProbe = await probeMemory(pid, probeFile);
  };
  const held = runLoadgen<HoldResult>({
    kind: "hold",
    target,
    streams,
    rampMs,
    timeoutMs: rampMs + firstByteDelayMs + frames * paceMs + 15_000,
  }, {
    cpus: context.loadCpus,
    onPlateau: waiting ? undefined : (line) => read(line.open),
  });
  if (waiting) {
    // Read once every request reached the emulator; not at all if the load generator ended first.
    const ended = new AbortController();
    held.finally(() => ended.abort()).catch(() => {});
    const received = await context.whenReceived(streams, ended.signal).catch(() => undefined);
    if (received !== undefined) await read(received);
  }
  await held;
  const afterKiB = await rssKiB(pid);
  const per = (bytes: number) => bytes / 1024 / Math.max(1, open);
  return {
    idleKiB,
    openKiB,
    open,
    afterKiB,
    perStreamKiB: (openKiB - idleKiB) / Math.max(1, open),
    heapPerStreamKiB: per(openProbe.heapUsed - idleProbe.heapUsed),
    externalPerStreamKiB: per(openProbe.external - idleProbe.external),
  };
}

/** Runs the memory measure. */
export async function runMemory(context: BenchContext): Promise<ScenarioResult> {
  const servers: BenchServers = serversOf(context);
  const streams = context.options.plan.memoryStreams;
  const req = context.requests(true);
  const gateway = await memoryOf(
    context,
    req.gateway,
    servers.gateway.pid,
    servers.memoryFiles.gateway,
    streams,
  );
  context.progress(
    `  memory gateway: ${gateway.idleKiB} KiB idle, ${gateway.openKiB} KiB with ${gateway.open} streams open, ` +
      `${gateway.afterKiB} KiB after: ${
        gateway.perStreamKiB.toFixed(1)
      } KiB/stream; after a full GC ` +
      `${gateway.heapPerStreamKiB.toFixed(1)} KiB heap + ${
        gateway.externalPerStreamKiB.toFixed(1)
      } KiB external per stream`,
  );
  const proxy = await memoryOf(
    context,
    req.proxy,
    servers.proxy.pid,
    servers.memoryFiles.proxy,
    streams,
  );
  context.progress(
    `  memory proxy: ${proxy.idleKiB} KiB idle, ${proxy.openKiB} KiB with ${proxy.open} streams open: ` +
      `${proxy.perStreamKiB.toFixed(1)} KiB/stream; after a full GC ${
        proxy.heapPerStreamKiB.toFixed(1)
      } KiB heap + ` +
      `${proxy.externalPerStreamKiB.toFixed(1)} KiB external per stream`,
  );
  return {
    rows: [{
      spec: spec("memory_per_stream"),
      value: summarizeRounds([gateway.perStreamKiB]),
      proxy: proxy.perStreamKiB,
      note: `RSS ${(gateway.idleKiB / 1024).toFixed(0)} MiB idle, ${
        (gateway.openKiB / 1024).toFixed(0)
      } MiB with ${gateway.open} streams open; after a full GC a stream holds ${
        gateway.heapPerStreamKiB.toFixed(0)
      } KiB of heap + ${gateway.externalPerStreamKiB.toFixed(0)} KiB external (proxy ${
        proxy.heapPerStreamKiB.toFixed(0)
      } + ${proxy.externalPerStreamKiB.toFixed(0)})`,
    }],
    details: { streams, gateway, proxy },
  };
}
