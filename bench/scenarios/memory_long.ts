/**
 * Memory with long conversations: the memory measure (see hold_streams.ts)
 * with 485 KB requests, the recorded one with a long history in front, which
 * is what most of a Claude Code session's requests look like after its first
 * few turns. Not in the table; its bound is the memory shape's. On
 * fresh servers (see fresh_memory.ts).
 *
 * @module
 */
import type { BenchContext, ScenarioResult } from "../context.ts";
import { LONG_HISTORY_BYTES, withHistory } from "../fixtures.ts";
import { runFreshMemory } from "./fresh_memory.ts";

/** Runs the long-conversation memory measure. */
export async function runMemoryLong(context: BenchContext): Promise<ScenarioResult> {
  const streams = context.options.plan.memoryLongStreams;
  const result = await runFreshMemory(
    context,
    "memory_per_stream_long",
    {
      label: "long-conversation requests",
      fixtures: withHistory(context.fixtures, LONG_HISTORY_BYTES),
      streams,
    },
    (gateway) =>
      `${gateway.open} streams open (of ${streams}); RSS ${
        (gateway.idleKiB / 1024).toFixed(0)
      } MiB idle, ${(gateway.openKiB / 1024).toFixed(0)} MiB with them open, ${
        (gateway.afterKiB / 1024).toFixed(0)
      } MiB once they ended; after a full GC a stream holds ${
        gateway.heapPerStreamKiB.toFixed(0)
      } KiB of heap + ${gateway.externalPerStreamKiB.toFixed(0)} KiB external`,
  );
  return { ...result, details: { ...result.details, historyBytes: LONG_HISTORY_BYTES } };
}
