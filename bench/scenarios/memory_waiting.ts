/**
 * Memory of requests waiting for Bedrock's first byte: the memory measure
 * (see hold_streams.ts) with Claude Code's recorded request, every request
 * held before the emulator's first byte. A real model takes seconds to start
 * answering a long prompt, so at any time many of a gateway's requests are
 * in this state rather than streaming. Not in the table; its bound is
 * the memory shape's. On fresh servers (see fresh_memory.ts).
 *
 * @module
 */
import type { BenchContext, ScenarioResult } from "../context.ts";
import { runFreshMemory } from "./fresh_memory.ts";

/** Runs the waiting-request memory measure. */
export function runMemoryWaiting(context: BenchContext): Promise<ScenarioResult> {
  const streams = context.options.plan.memoryStreams;
  return runFreshMemory(
    context,
    "memory_per_request_waiting",
    {
      label: "before the first byte",
      fixtures: context.fixtures,
      streams,
      waiting: true,
    },
    (gateway, proxy) =>
      `${gateway.open} requests waiting (of ${streams}); RSS ${
        (gateway.idleKiB / 1024).toFixed(0)
      } MiB idle, ${(gateway.openKiB / 1024).toFixed(0)} MiB with them waiting; after a full GC ` +
      `a request holds ${gateway.heapPerStreamKiB.toFixed(0)} KiB of heap + ${
        gateway.externalPerStreamKiB.toFixed(0)
      } KiB external (proxy ${proxy.heapPerStreamKiB.toFixed(0)} + ${
        proxy.externalPerStreamKiB.toFixed(0)
      })`,
  );
}
