/**
 * How many array buffers of one size are alive: what a test can ask of bytes
 * (a snapshot has their sizes, not their contents).
 *
 * @module
 */
import { readHeapSnapshot } from "./read_heap_snapshot.ts";

const decoder = new TextDecoder();

/**
 * How many array buffers of exactly `byteLength` bytes the heap holds (after
 * the full garbage collection a snapshot runs first).
 *
 * @param byteLength The size to count, e.g. a request body's.
 * @returns The count.
 */
export async function heapBuffersOfLength(byteLength: number): Promise<number> {
  const snapshot = JSON.parse(decoder.decode(await readHeapSnapshot())) as {
    snapshot: { meta: { node_fields: string[] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snapshot.snapshot.meta.node_fields;
  const size = fields.indexOf("self_size");
  const name = fields.indexOf("name");
  let count = 0;
  for (let i = 0; i < snapshot.nodes.length; i += fields.length) {
    if (
      snapshot.nodes[i + size] === byteLength &&
      snapshot.strings[snapshot.nodes[i + name]!] === "system / JSArrayBufferData"
    ) count++;
  }
  return count;
}
