import { assert, assertEquals } from "../../testing/assert.ts";
import { ledgerEntry } from "../../testing/ledger_fixtures.ts";
import {
  MAX_ENTRY_GROUPS,
  MAX_ENTRY_JSON,
  MAX_ENTRY_TEXT,
  type OpenRecord,
} from "./ledger_entry.ts";
import { openKey, WAL_PREFIX } from "./roll_up_entry.ts";
import { type LedgerItem, takeBatch, writeAheadOp } from "./write_ahead_batch.ts";

async function keys(kv: Deno.Kv): Promise<string[]> {
  const out: string[] = [];
  for await (const e of kv.list({ prefix: ["ledger"] })) out.push(e.key.join("/"));
  return out;
}

Deno.test("takeBatch() takes at most maxBatch items off the front, and about 512 KiB", () => {
  const buffer: LedgerItem[] = Array.from({ length: 5 }, (_, i) => ({
    entry: ledgerEntry({ requestId: `req_${i}` }),
  }));
  const { batch } = takeBatch(buffer, 3);
  assertEquals(batch.map((i) => i.entry.requestId), ["req_0", "req_1", "req_2"]);
  assertEquals(buffer.length, 2);
  const big = Array.from({ length: 40 }, (_, i) => ({
    entry: ledgerEntry({ requestId: `req_${i}`, model: "x".repeat(30_000) }),
  }));
  const size = JSON.stringify(big[0]!.entry).length + 64;
  assertEquals(takeBatch(big, 100).batch.length, Math.floor((512 * 1024) / size));
});

Deno.test("takeBatch() sets aside the entries no KV value could hold, and batches the others in order", () => {
  const buffer: LedgerItem[] = [0, 1, 2, 3].map((i) => ({
    entry: ledgerEntry({ requestId: `req_${i}`, model: i % 2 === 1 ? "x".repeat(40_000) : "m" }),
  }));
  const { batch, unwritable } = takeBatch(buffer, 100);
  assertEquals(batch.map((i) => i.entry.requestId), ["req_0", "req_2"]);
  assertEquals(unwritable.map((i) => i.entry.requestId), ["req_1", "req_3"]);
  assertEquals(buffer, []);
});

Deno.test("an entry at every bound of MAX_ENTRY_GROUPS and MAX_ENTRY_TEXT, in two-byte characters, fits a KV value", async () => {
  using kv = await Deno.openKv(":memory:");
  const text = "é漢".repeat(MAX_ENTRY_TEXT / 2);
  const entry = ledgerEntry({
    user: text,
    sid: text,
    groups: Array(MAX_ENTRY_GROUPS).fill(text),
    roles: Array(MAX_ENTRY_GROUPS).fill(text),
    model: "漢".repeat(512),
    bedrockModel: "漢".repeat(512),
    errorType: "x".repeat(128),
  });
  assert(JSON.stringify(entry).length <= MAX_ENTRY_JSON);
  assert((await kv.set(["ledger", "wal", entry.requestId], entry)).ok);
});

Deno.test("writeAheadOp() writes entries ahead, an open record only while its entry is not written, and deletes it with the entry", async () => {
  using kv = await Deno.openKv(":memory:");
  const first = writeAheadOp(kv.atomic(), [
    { entry: ledgerEntry({ requestId: "a", outcome: "interrupted" }), until: 1 },
    { entry: ledgerEntry({ requestId: "a", outcome: "interrupted", inputTokens: 9 }), until: 2 },
    { entry: ledgerEntry({ requestId: "b", outcome: "interrupted" }), until: 1 },
    { entry: ledgerEntry({ requestId: "b" }) },
  ], new Map());
  const op = kv.atomic();
  const again = writeAheadOp(op, [
    { entry: ledgerEntry({ requestId: "a", outcome: "interrupted", inputTokens: 9 }), until: 2 },
    { entry: ledgerEntry({ requestId: "b" }) },
  ], new Map());
  await op.commit();
  const ids = (records: OpenRecord[]) => records.map((r) => r.entry.requestId);
  assertEquals(ids(first.opened), ["a"], "b opened and ended in one batch");
  assertEquals(first.entries.map((e) => e.requestId), ["b"]);
  assertEquals(ids(again.opened), ["a"]);
  assertEquals(await keys(kv), ["ledger/open/2/a", "ledger/wal/b"]);
  const open = (await kv.get<OpenRecord>(openKey(2, "a"))).value!;
  assertEquals([open.until, open.entry.inputTokens], [2, 9], "the last open record of a request");

  const close = kv.atomic();
  writeAheadOp(close, [{ entry: ledgerEntry({ requestId: "a" }) }], new Map([["a", 2]]));
  await close.commit();
  assertEquals(await keys(kv), ["ledger/wal/a", "ledger/wal/b"]);
  assertEquals((await kv.get([...WAL_PREFIX, "a"])).value !== null, true);
});
