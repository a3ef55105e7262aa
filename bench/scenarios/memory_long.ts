/**
 * Memory with long conversations: the memory measure (see hold_streams.ts)
 * with 485 KB requests, the recorded one with a long history in front, which
 * is what most of a Claude Code session's requests look like after its first
 * few turns. Not in the table; its bound is the memory shape's.
 *
 * It runs on a gateway and a bare proxy started for it and stopped after:
 * long bodies leave the native heap of a process larger for as long as it
 * lives (freed, but fragmented), which would weigh on every shape measured on
 * the same processes after it.
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
import { LONG_HISTORY_BYTES, targetRequests, withHistory } from "../fixtures.ts";
import { summarizeRounds } from "../percentiles.ts";
import { startServer } from "../servers.ts";
import { TARGETS } from "../targets.ts";
import { memoryOf, type MemoryReading, warmUp } from "./hold_streams.ts";

/** The unmeasured warm-up: streams, and frames per stream. */
const WARM_UP_STREAMS = 50;
const WARM_UP_FRAMES = 5;

/** Runs the long-conversation memory measure. */
export async function runMemoryLong(context: BenchContext): Promise<ScenarioResult> {
  const { emulator } = serversOf(context);
  const streams = context.options.plan.memoryLongStreams;
  const fixtures = withHistory(context.fixtures, LONG_HISTORY_BYTES);
  const probeDir = await Deno.makeTempDir({ prefix: "ccgate-bench-memory-long-" });

  const measure = async (name: "gateway" | "proxy"): Promise<MemoryReading> => {
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
    const target = targetRequests(fixtures, urls, token, true)[name];
    await warmUp(context, target, {
      streams: WARM_UP_STREAMS,
      frames: WARM_UP_FRAMES,
      firstByteDelayMs: 0,
      paceMs: 20,
    });
    const reading = await memoryOf(context, target, server.info.pid, probeFile, streams);
    context.progress(
      `  memory ${name}, 485 KB requests: ${reading.idleKiB} KiB idle, ${reading.openKiB} KiB ` +
        `with ${reading.open} streams open: ${reading.perStreamKiB.toFixed(1)} KiB/stream; ` +
        `after a full GC ${reading.heapPerStreamKiB.toFixed(1)} KiB heap + ` +
        `${reading.externalPerStreamKiB.toFixed(1)} KiB external per stream`,
    );
    return reading;
  };

  let gateway: MemoryReading;
  let proxy: MemoryReading;
  try {
    gateway = await measure("gateway");
    proxy = await measure("proxy");
  } finally {
    await Deno.remove(probeDir, { recursive: true }).catch(() => {});
  }
  return {
    rows: [{
      spec: TARGETS.find((t) => t.id === "memory_per_stream_long")!,
      value: summarizeRounds([gateway.perStreamKiB]),
      proxy: proxy.perStreamKiB,
      note: `${gateway.open} streams open (of ${streams}); RSS ${
        (gateway.idleKiB / 1024).toFixed(0)
      } MiB idle, ${(gateway.openKiB / 1024).toFixed(0)} MiB with them open, ${
        (gateway.afterKiB / 1024).toFixed(0)
      } MiB once they ended; after a full GC a stream holds ${
        gateway.heapPerStreamKiB.toFixed(0)
      } KiB of heap + ${gateway.externalPerStreamKiB.toFixed(0)} KiB external`,
    }],
    details: { streams, historyBytes: LONG_HISTORY_BYTES, gateway, proxy },
  };
}
