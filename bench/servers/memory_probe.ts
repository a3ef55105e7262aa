/**
 * A diagnostic for the memory measure: on SIGUSR2, a server started with
 * `--v8-flags=--expose-gc` runs a full garbage collection and writes
 * `Deno.memoryUsage()` as JSON to the file named by `BENCH_MEMORY_FILE`, so
 * the harness can tell memory a stream holds from garbage not yet collected.
 * With `BENCH_HEAP_SNAPSHOT_DIR` set, it also writes a V8 heap snapshot there
 * (for Chrome DevTools' Memory tab).
 *
 * @module
 */
import { writeHeapSnapshot } from "node:v8";

/** What the probe writes. */
export interface MemoryProbe {
  /** Resident set size, bytes. */
  rss: number;
  /** V8 heap in use after a full collection, bytes. */
  heapUsed: number;
  /** Memory of JS objects bound to C++ (array buffers...), bytes. */
  external: number;
}

/** Installs the probe when the flag and the file are given; otherwise does nothing. */
export function installMemoryProbe(): void {
  const file = Deno.env.get("BENCH_MEMORY_FILE");
  const gc = (globalThis as { gc?: () => void }).gc;
  if (file === undefined || gc === undefined) return;
  // Not SIGUSR1: Deno, like Node, opens its inspector on SIGUSR1, and with the inspector open
  // `fetch` tees every response body (for the network panel) for the rest of the process's life.
  Deno.addSignalListener("SIGUSR2", async () => {
    // V8 frees dead array buffers in a sweeper task after the collection, and counts them as
    // external memory until it has: collect, give the sweeper a turn, and again until external
    // memory stops falling (at most 2 s; a busy process sweeps slowly).
    let external = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 20; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 100));
      const now = Deno.memoryUsage().external;
      if (now >= external * 0.99) break;
      external = now;
    }
    gc();
    const { rss, heapUsed } = Deno.memoryUsage();
    external = Deno.memoryUsage().external;
    const probe: MemoryProbe = { rss, heapUsed, external };
    const snapshots = Deno.env.get("BENCH_HEAP_SNAPSHOT_DIR");
    if (snapshots !== undefined) {
      writeHeapSnapshot(`${snapshots}/${Deno.pid}-${Date.now()}.heapsnapshot`);
    }
    Deno.writeTextFileSync(`${file}.tmp`, JSON.stringify(probe));
    Deno.renameSync(`${file}.tmp`, file);
  });
}
