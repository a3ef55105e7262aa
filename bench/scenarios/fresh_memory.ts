/**
 * The memory measure (see hold_streams.ts) on a gateway or bare proxy
 * started for it and stopped after, for shapes that would weigh on every
 * shape measured on the same processes after them: long bodies leave the
 * native heap of a process larger for as long as it lives (freed, but
 * fragmented), and so do a thousand requests held at once.
 *
 * @module
 */
import {
  type BenchContext,
  type GatewayInfo,
  type ProxyInfo,
  type ScenarioResult,
  serversOf,
} from "../context.ts";
import { type Fixtures, targetRequests } from "../fixtures.ts";
import { summarizeRounds } from "../percentiles.ts";
import { startServer } from "../servers.ts";
import { TARGETS } from "../targets.ts";
import { memoryOf, type MemoryReading, warmUp } from "./hold_streams.ts";

/** The unmeasured warm-up: streams, and frames per stream. */
const WARM_UP_STREAMS = 50;
const WARM_UP_FRAMES = 5;

/** What to hold on the fresh server. */
export interface FreshMemoryShape {
  /** Names the shape in progress lines, e.g. `485 KB requests`. */
  label: string;
  /** The requests to send. */
  fixtures: Fixtures;
  /** How many to hold. */
  streams: number;
  /** Hold them before Bedrock's first byte instead of streaming (see `memoryOf`). */
  waiting?: boolean;
}

/**
 * Starts `name`'s server, warms it up with a few unmeasured streams, and
 * takes the memory measure.
 *
 * @param context The bench's context (its emulator is used).
 * @param name Which server.
 * @param shape The requests and how they are held.
 * @returns The reading.
 */
export async function freshMemoryOf(
  context: BenchContext,
  name: "gateway" | "proxy",
  shape: FreshMemoryShape,
): Promise<MemoryReading> {
  const { emulator } = serversOf(context);
  const probeDir = await Deno.makeTempDir({ prefix: "ccgate-bench-memory-" });
  try {
    const probeFile = `${probeDir}/${name}.json`;
    await using server = await startServer<GatewayInfo | ProxyInfo>(
      `bench/servers/${name}_server.ts`,
      [emulator.info.url],
      {
        cpus: context.serverCpus,
        denoFlags: ["--v8-flags=--expose-gc"],
        env: { BENCH_MEMORY_FILE: probeFile },
      },
    );
    const token = "token" in server.info ? server.info.token : "";
    const urls = { emulator: emulator.info.url, proxy: server.info.url, gateway: server.info.url };
    const target = targetRequests(shape.fixtures, urls, token, true)[name];
    await warmUp(context, target, {
      streams: WARM_UP_STREAMS,
      frames: WARM_UP_FRAMES,
      firstByteDelayMs: 0,
      paceMs: 20,
    });
    const reading = await memoryOf(
      context,
      target,
      server.info.pid,
      probeFile,
      shape.streams,
      { waiting: shape.waiting },
    );
    const what = shape.waiting ? "requests waiting for the first byte" : "streams open";
    context.progress(
      `  memory ${name}, ${shape.label}: ${reading.idleKiB} KiB idle, ${reading.openKiB} KiB ` +
        `with ${reading.open} ${what}: ${reading.perStreamKiB.toFixed(1)} KiB each; ` +
        `after a full GC ${reading.heapPerStreamKiB.toFixed(1)} KiB heap + ` +
        `${reading.externalPerStreamKiB.toFixed(1)} KiB external each`,
    );
    return reading;
  } finally {
    await Deno.remove(probeDir, { recursive: true }).catch(() => {});
  }
}

/**
 * Measures the gateway, then the bare proxy, each on a fresh server, and
 * makes the table row `targetId`: the gateway's growth per request, the
 * proxy's beside it.
 *
 * @param context The bench's context.
 * @param targetId The row's id in `TARGETS`.
 * @param shape The requests and how they are held.
 * @param note The row's note, from both readings.
 * @returns The row, and both readings as details.
 */
export async function runFreshMemory(
  context: BenchContext,
  targetId: string,
  shape: FreshMemoryShape,
  note: (gateway: MemoryReading, proxy: MemoryReading) => string,
): Promise<ScenarioResult> {
  const gateway = await freshMemoryOf(context, "gateway", shape);
  const proxy = await freshMemoryOf(context, "proxy", shape);
  return {
    rows: [{
      spec: TARGETS.find((t) => t.id === targetId)!,
      value: summarizeRounds([gateway.perStreamKiB]),
      proxy: proxy.perStreamKiB,
      note: note(gateway, proxy),
    }],
    details: { streams: shape.streams, gateway, proxy },
  };
}
