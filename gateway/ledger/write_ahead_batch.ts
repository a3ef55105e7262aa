import { type LedgerEntry, MAX_ENTRY_JSON, type OpenRecord } from "./ledger_entry.ts";
import { openKey, WAL_PREFIX } from "./roll_up_entry.ts";

/** KV values must stay under 64 KiB and an atomic operation under 800 KiB: keep batches well below. */
const MAX_BATCH_BYTES = 512 * 1024;

/** What the usage ledger buffers: an entry to write ahead or, with `until`, a request's open record. */
export interface LedgerItem {
  /** The entry (for an open record, as known so far, outcome `interrupted`). */
  entry: LedgerEntry;
  /** Set for an open record: when its request can no longer be running, ms since the epoch. */
  until?: number;
}

/**
 * Takes the next batch off the front of `buffer`: at most `maxBatch` items
 * and about 512 KiB (at least one item), and apart from it the items met on
 * the way that no KV value could hold (JSON past `MAX_ENTRY_JSON`), which
 * would fail every commit they are in, and so every other entry's.
 *
 * @param buffer The ledger's buffer; the items taken are removed from it.
 * @param maxBatch Most items in the batch.
 * @returns The batch, in order, and the unwritable items.
 *
 * @example
 * ```ts ignore
 * const { batch, unwritable } = takeBatch(buffer, 100);
 * ```
 */
export function takeBatch(
  buffer: LedgerItem[],
  maxBatch: number,
): { batch: LedgerItem[]; unwritable: LedgerItem[] } {
  let bytes = 0;
  let n = 0;
  let taken = 0;
  const unwritable = new Set<number>();
  while (n < buffer.length && taken < maxBatch) {
    const size = JSON.stringify(buffer[n]!.entry).length;
    if (size > MAX_ENTRY_JSON) {
      unwritable.add(n++);
      continue;
    }
    bytes += size + 64;
    if (taken > 0 && bytes > MAX_BATCH_BYTES) break;
    n++;
    taken++;
  }
  const items = buffer.splice(0, n);
  if (unwritable.size === 0) return { batch: items, unwritable: [] };
  return {
    batch: items.filter((_, i) => !unwritable.has(i)),
    unwritable: items.filter((_, i) => unwritable.has(i)),
  };
}

/**
 * Adds the mutations that write a batch to `op`: each entry into the
 * write-ahead log (`["ledger", "wal", id]`), deleting its request's open
 * record when that was written before (`opened`), and the last open record
 * of each request whose entry is not in the batch. An open record whose
 * entry is in the same batch is never written.
 *
 * @param op The atomic operation to add to.
 * @param batch Items in the order they were buffered.
 * @param opened Requests whose open record is in KV, with its `until`.
 * @returns The entries written ahead and the requests whose open record is written.
 *
 * @example
 * ```ts ignore
 * const { entries, opened } = writeAheadOp(kv.atomic(), batch, new Map());
 * ```
 */
export function writeAheadOp(
  op: Deno.AtomicOperation,
  batch: readonly LedgerItem[],
  opened: ReadonlyMap<string, number>,
): { entries: LedgerEntry[]; opened: OpenRecord[] } {
  const entries: LedgerEntry[] = [];
  const opens = new Map<string, OpenRecord>();
  for (const { entry, until } of batch) {
    if (until === undefined) entries.push(entry);
    else opens.set(entry.requestId, { entry, until });
  }
  for (const entry of entries) {
    op.set([...WAL_PREFIX, entry.requestId], entry);
    if (opens.delete(entry.requestId)) continue; // opened and ended within one batch
    const until = opened.get(entry.requestId);
    if (until !== undefined) op.delete(openKey(until, entry.requestId));
  }
  for (const record of opens.values()) {
    op.set(openKey(record.until, record.entry.requestId), record);
  }
  return { entries, opened: [...opens.values()] };
}
