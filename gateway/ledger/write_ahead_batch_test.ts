import { assertEquals } from "../../testing/assert.ts";
import { ledgerEntry } from "../../testing/ledger_fixtures.ts";
import type { OpenRecord } from "./ledger_entry.ts";
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
  assertEquals(takeBatch(buffer, 3).map((i) => i.entry.requestId), ["req_0", "req_1", "req_2"]);
  assertEquals(buffer.length, 2);
  const big = Array.from({ length: 4 }, (_, i) => ({
    entry: ledgerEntry({ requestId: `req_${i}`, model: "x".repeat(200_000) }),
  }));
  assertEquals(takeBatch(big, 100).length, 2);
  assertEquals(takeBatch([{ entry: ledgerEntry({ model: "x".repeat(900_000) }) }], 100).length, 1);
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
