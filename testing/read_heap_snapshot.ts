/**
 * A V8 heap snapshot of this process, for tests that ask what is still alive
 * (V8 runs a full garbage collection before it writes one).
 *
 * @module
 */
import { writeHeapSnapshot } from "node:v8";

/**
 * Writes a heap snapshot to a temporary file and reads it back.
 *
 * @returns The bytes of the snapshot's JSON.
 */
export async function readHeapSnapshot(): Promise<Uint8Array> {
  const dir = await Deno.makeTempDir({ prefix: "ccgate-heap-" });
  try {
    const file = `${dir}/heap.heapsnapshot`;
    writeHeapSnapshot(file);
    return await Deno.readFile(file);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
