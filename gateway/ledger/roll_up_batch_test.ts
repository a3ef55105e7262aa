import { assert, assertEquals } from "../../testing/assert.ts";
import { ledgerEntry } from "../../testing/ledger_fixtures.ts";
import type { LedgerEntry } from "./ledger_entry.ts";
import { MUTATIONS_PER_ENTRY, rollUpBatch, rollUpChunks } from "./roll_up_batch.ts";
import { planRollUp } from "./roll_up_plan.ts";
import {
  ENTRY_PREFIX,
  rollupSums,
  TENANT_INDEX_PREFIX,
  USAGE_PREFIX,
  USER_INDEX_PREFIX,
  WAL_PREFIX,
} from "./roll_up_entry.ts";

/** `rollUpChunks()` of the entries planned, as entries. */
const chunksOf = (entries: LedgerEntry[]) =>
  rollUpChunks(entries.map((e) => planRollUp(e))).map((chunk) => chunk.map((p) => p.entry));

/** `rollUpBatch()` of the entries planned. */
const batch = (kv: Deno.Kv, entries: LedgerEntry[], versionstamps: Map<string, string>) =>
  rollUpBatch(kv, entries.map((e) => planRollUp(e)), versionstamps);

const id = (i: number) => `req_${String(i).padStart(24, "0")}`;

async function count(kv: Deno.Kv, prefix: Deno.KvKey): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix })) n++;
  return n;
}

async function logged(kv: Deno.Kv, entries: LedgerEntry[]): Promise<string> {
  const op = kv.atomic();
  for (const e of entries) op.set([...WAL_PREFIX, e.requestId], e);
  const result = await op.commit();
  assert(result.ok);
  return result.versionstamp;
}

/** Every entry's log record written by the one commit `versionstamp`. */
const stamps = (entries: LedgerEntry[], versionstamp: string) =>
  new Map(entries.map((e) => [e.requestId, versionstamp]));

Deno.test("rollUpChunks() keeps each chunk within KV's 100 checks and 1,000 mutations", () => {
  const same = Array.from({ length: 120 }, (_, i) => ledgerEntry({ requestId: id(i) }));
  assertEquals(chunksOf(same).map((c) => c.length), [50, 50, 20]);
  // Every entry its own user and 20 groups: 21 rollup rows x 5 metrics = 105 sums each.
  const wide = Array.from({ length: 30 }, (_, i) =>
    ledgerEntry({
      requestId: id(i),
      user: `user-${i}`,
      groups: Array.from({ length: 20 }, (_, g) => `g${i}-${g}`),
    }));
  const chunks = chunksOf(wide);
  for (const chunk of chunks) {
    const keys = new Set(chunk.flatMap((e) => rollupSums(e).map(([k]) => JSON.stringify(k))));
    const mutations = MUTATIONS_PER_ENTRY * chunk.length + keys.size;
    assert(mutations <= 1_000, `mutations: ${mutations}`);
  }
  assertEquals(chunks.flat().length, 30);
  assert(chunks.length > 1);
});

Deno.test("rollUpChunks() chunks of entries with every kind of rollup key commit within KV's limits", async () => {
  using kv = await Deno.openKv(":memory:");
  // Each its own user, 20 groups, a latency and first byte of its own, half of them failed,
  // tenants of their own: usage, tenant, group x user, histogram and error type keys all
  // differ from entry to entry.
  const entries = Array.from({ length: 40 }, (_, i) =>
    ledgerEntry({
      requestId: id(i),
      user: `user-${i}`,
      tid: `tenant-${i}`,
      groups: Array.from({ length: 20 }, (_, g) => `g${i}-${g}`),
      totalMs: 100 * 2 ** (i % 12),
      firstByteMs: 10 + 37 * i,
      outcome: i % 2 === 0 ? "completed" : "upstream_error",
      errorType: i % 2 === 0 ? null : `Error${i}`,
      cacheReadTokens: 1,
      cacheWriteTokens: 1,
    }));
  const chunks = chunksOf(entries);
  assert(chunks.length > 1);
  for (const chunk of chunks) {
    const keys = new Set(chunk.flatMap((e) => rollupSums(e).map(([k]) => JSON.stringify(k))));
    // Each entry has a tenant: one more mutation for its tenant index key.
    assert((MUTATIONS_PER_ENTRY + 1) * chunk.length + keys.size <= 1_000);
    // KV itself refuses an atomic operation past 1,000 mutations: each chunk commits.
    const versionstamp = await logged(kv, chunk);
    assertEquals(await batch(kv, chunk, stamps(chunk, versionstamp)), true);
  }
  assertEquals(await count(kv, ENTRY_PREFIX), 40);
  assertEquals(await count(kv, USER_INDEX_PREFIX), 40);
  assertEquals(await count(kv, TENANT_INDEX_PREFIX), 40);
  assertEquals(await count(kv, WAL_PREFIX), 0);
});

Deno.test("rollUpChunks() keeps only the last of two entries with one request id", () => {
  const first = ledgerEntry({ requestId: id(1), outputTokens: 1 });
  const again = ledgerEntry({ requestId: id(1), outputTokens: 2 });
  assertEquals(chunksOf([first, ledgerEntry({ requestId: id(2) }), again]).flat(), [
    ledgerEntry({ requestId: id(2) }),
    again,
  ]);
});

Deno.test("rollUpBatch() moves a logged batch into the ledger and sums each entry once", async () => {
  using kv = await Deno.openKv(":memory:");
  const entries = Array.from(
    { length: 50 },
    (_, i) => ledgerEntry({ requestId: id(i), outputTokens: i + 1, groups: ["eng", "ml"] }),
  );
  const versionstamp = await logged(kv, entries);
  assertEquals(await batch(kv, entries, stamps(entries, versionstamp)), true);
  assertEquals(await count(kv, WAL_PREFIX), 0);
  assertEquals(await count(kv, ENTRY_PREFIX), 50);
  const e = entries[0]!;
  const sum = async (kind: string, name: string, metric: string) =>
    Number(
      (await kv.get<Deno.KvU64>([...USAGE_PREFIX, e.day, kind, name, e.bedrockModel!, metric]))
        .value?.value ?? 0n,
    );
  assertEquals(await sum("user", e.user, "requests"), 50);
  assertEquals(await sum("user", e.user, "output_tokens"), (50 * 51) / 2);
  assertEquals(await sum("group", "ml", "input_tokens"), 50 * 10);
});

Deno.test("rollUpBatch() writes nothing when one entry was rolled up before or its log record changed", async () => {
  using kv = await Deno.openKv(":memory:");
  const entries = [1, 2, 3].map((i) => ledgerEntry({ requestId: id(i) }));
  const versionstamp = await logged(kv, entries);
  // Another instance rolled up entry 2 in the meantime.
  await kv.atomic().delete([...WAL_PREFIX, id(2)]).set(
    [...ENTRY_PREFIX, entries[1]!.day, id(2)],
    entries[1],
  ).commit();
  assertEquals(await batch(kv, entries, stamps(entries, versionstamp)), false);
  assertEquals(await count(kv, WAL_PREFIX), 2, "entries 1 and 3 are still in the log");
  assertEquals(await count(kv, ENTRY_PREFIX), 1);
  assertEquals(await count(kv, USAGE_PREFIX), 0, "nothing summed");
  // A log record rewritten since (a retried write-ahead batch) also fails the check.
  await kv.set([...WAL_PREFIX, id(1)], entries[0]);
  assertEquals(await batch(kv, [entries[0]!], stamps(entries, versionstamp)), false);
});

Deno.test("rollUpBatch() checks each entry against the commit that logged it", async () => {
  using kv = await Deno.openKv(":memory:");
  const [a, b] = [1, 2].map((i) => ledgerEntry({ requestId: id(i) }));
  const first = await logged(kv, [a!]);
  const second = await logged(kv, [b!]);
  assertEquals(await batch(kv, [a!, b!], new Map([[id(1), second], [id(2), second]])), false);
  assertEquals(await batch(kv, [a!, b!], new Map([[id(1), first]])), false, "one unknown");
  assertEquals(await count(kv, ENTRY_PREFIX), 0);
  assertEquals(await batch(kv, [a!, b!], new Map([[id(1), first], [id(2), second]])), true);
  assertEquals(await count(kv, ENTRY_PREFIX), 2);
  assertEquals(await count(kv, WAL_PREFIX), 0);
});

Deno.test("rollUpBatch() of one user's requests in one tenant adds the tenant's keys once per batch: 4 metrics and 2 latency buckets", async () => {
  using kv = await Deno.openKv(":memory:");
  // What the bench sends: one user, one model, no groups, answered alike; the second batch
  // the same with the token's tenant.
  const entriesOf = (day: string, tid?: string) =>
    Array.from(
      { length: 5 },
      (_, i) =>
        ledgerEntry({
          requestId: `${id(i)}-${day}`,
          day,
          at: `${day}T10:00:00.000Z`,
          groups: [],
          tid,
        }),
    );
  for (const [day, tid] of [["2026-11-01", undefined], ["2026-11-02", "tenant-1"]] as const) {
    const entries = entriesOf(day, tid);
    const versionstamp = await logged(kv, entries);
    assertEquals(await batch(kv, entries, stamps(entries, versionstamp)), true);
  }
  const before = await count(kv, [...USAGE_PREFIX, "2026-11-01"]);
  const after = await count(kv, [...USAGE_PREFIX, "2026-11-02"]);
  assertEquals(after - before, 4 + 2);
  const requests = await kv.get<Deno.KvU64>([
    ...USAGE_PREFIX,
    "2026-11-02",
    "tenant",
    "tenant-1",
    "user-a",
    ledgerEntry().bedrockModel!,
    "requests",
  ]);
  assertEquals(requests.value?.value, 5n);
});
