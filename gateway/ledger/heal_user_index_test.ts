import { assertEquals } from "../../testing/assert.ts";
import { ledgerEntry } from "../../testing/ledger_fixtures.ts";
import { healUserIndex } from "./heal_user_index.ts";
import { latestIdentity } from "./latest_identity.ts";
import type { LedgerEntry } from "./ledger_entry.ts";
import { ENTRY_PREFIX, rollUpEntry, USER_INDEX_PREFIX, WAL_PREFIX } from "./roll_up_entry.ts";
import { listEntries } from "./usage_query.ts";

const DAY = "2026-12-01";
const USER = "00000000-0000-4000-8000-0000000de7e1";

/** A KV holding what ccgate 6076e5e, from before the per-user index, wrote for five requests. */
async function kvBeforeUserIndex(): Promise<Deno.Kv> {
  const recorded = JSON.parse(
    await Deno.readTextFile(new URL("./testdata/ledger_before_user_index.json", import.meta.url)),
  ) as {
    entries: { key: Deno.KvKey; value: LedgerEntry }[];
    usage: { key: Deno.KvKey; value: string }[];
  };
  const kv = await Deno.openKv(":memory:");
  for (const { key, value } of recorded.entries) await kv.set(key, value);
  for (const { key, value } of recorded.usage) await kv.set(key, new Deno.KvU64(BigInt(value)));
  return kv;
}

async function indexed(kv: Deno.Kv, user: string): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix: [...USER_INDEX_PREFIX, user] })) n++;
  return n;
}

Deno.test("listEntries() finds a user's entries rolled up by a ccgate from before the per-user index", async () => {
  using kv = await kvBeforeUserIndex();
  const page = await listEntries(kv, { from: DAY, to: DAY, user: USER });
  assertEquals(page.entries.length, 5);
  assertEquals(page.entries.every((e) => e.user === USER && e.tid === undefined), true);
  assertEquals(page.truncated, false);
  // Indexed once: the next read goes through the index alone.
  assertEquals(await indexed(kv, USER), 5);
  assertEquals(await healUserIndex(kv, USER, DAY, DAY), 0);
  assertEquals((await listEntries(kv, { from: DAY, to: DAY, user: USER })).entries.length, 5);
});

Deno.test("listEntries() pages a user's entries rolled up before the per-user index", async () => {
  using kv = await kvBeforeUserIndex();
  const first = await listEntries(kv, { from: DAY, to: DAY, user: USER }, { limit: 3 });
  assertEquals(first.entries.length, 3);
  const rest = await listEntries(kv, { from: DAY, to: DAY, user: USER }, { after: first.next });
  assertEquals(rest.entries.length, 2);
  assertEquals(new Set([...first.entries, ...rest.entries].map((e) => e.requestId)).size, 5);
});

Deno.test("latestIdentity() reads the roles of a request rolled up before the per-user index", async () => {
  using kv = await kvBeforeUserIndex();
  const seen = await latestIdentity(kv, USER, "2026-12-03");
  assertEquals(seen?.roles, ["ccgate.user", "ccgate.admin"]);
  assertEquals(seen?.groups, []);
  assertEquals(seen?.tid, undefined);
});

Deno.test("listEntries() finds a day's entries of an older ccgate next to indexed ones (rollback, rolling deploy)", async () => {
  using kv = await kvBeforeUserIndex();
  // This version rolls up one more request of the same user that day: indexed.
  const entry = ledgerEntry({
    requestId: "req_ffffffffffffffffffffffff",
    day: DAY,
    at: `${DAY}T23:00:00.000Z`,
    user: USER,
  });
  await kv.set([...WAL_PREFIX, entry.requestId], entry);
  assertEquals(await rollUpEntry(kv, entry.requestId), "rolled_up");
  assertEquals(await indexed(kv, USER), 1);
  const page = await listEntries(kv, { from: DAY, to: DAY, user: USER });
  assertEquals(page.entries.length, 6);
  assertEquals(page.entries.at(-1)?.requestId, entry.requestId);
});

Deno.test("healUserIndex() indexes no other user's entries, and none that retention deleted", async () => {
  using kv = await kvBeforeUserIndex();
  assertEquals((await listEntries(kv, { from: DAY, to: DAY, user: "someone-else" })).entries, []);
  assertEquals(await indexed(kv, "someone-else"), 0);
  // Entries deleted (CCGATE_LEDGER_RETENTION_DAYS) while the day's roll-ups are kept.
  for await (const item of kv.list({ prefix: [...ENTRY_PREFIX, DAY] })) await kv.delete(item.key);
  assertEquals(await healUserIndex(kv, USER, DAY, DAY), 0);
  assertEquals(await indexed(kv, USER), 0);
  assertEquals((await listEntries(kv, { from: DAY, to: DAY, user: USER })).entries, []);
});

/** The recorded KV, plus the same five requests recorded again on each of `days` (entries and roll-ups). */
async function kvBeforeUserIndexAlsoOn(...days: string[]): Promise<Deno.Kv> {
  const kv = await kvBeforeUserIndex();
  for (const day of days) {
    for await (const item of kv.list<LedgerEntry>({ prefix: [...ENTRY_PREFIX, DAY] })) {
      const e = item.value;
      const requestId = `${e.requestId}_${day}`;
      const at = `${day}${e.at.slice(10)}`;
      await kv.set([...ENTRY_PREFIX, day, requestId], { ...e, requestId, day, at });
    }
    for await (const item of kv.list<Deno.KvU64>({ prefix: ["usage", DAY] })) {
      await kv.set(["usage", day, ...item.key.slice(2)], item.value);
    }
  }
  return kv;
}

Deno.test("listEntries() heals a user's index a span of days at a time, as its pages read them", async () => {
  using kv = await kvBeforeUserIndexAlsoOn("2026-11-01", "2026-11-15");
  const range = { from: "2026-11-01", to: DAY, user: USER };
  const first = await listEntries(kv, range, { limit: 5 });
  assertEquals(first.entries.map((e) => e.day), Array(5).fill("2026-11-01"));
  assertEquals(first.truncated, true);
  // The page read up to the next entry (2026-11-15): the later days are not read yet.
  assertEquals(await indexed(kv, USER), 10);
  const second = await listEntries(kv, range, { limit: 5, after: first.next });
  assertEquals(second.entries.map((e) => e.day), Array(5).fill("2026-11-15"));
  assertEquals(await indexed(kv, USER), 15);
  const last = await listEntries(kv, range, { limit: 5, after: second.next });
  assertEquals(last.entries.map((e) => e.day), Array(5).fill(DAY));
  assertEquals(last.truncated, false);
});

Deno.test("latestIdentity() finds a request rolled up before the per-user index weeks back", async () => {
  using kv = await kvBeforeUserIndexAlsoOn("2026-11-01");
  for await (const item of kv.list({ prefix: [...ENTRY_PREFIX, DAY] })) await kv.delete(item.key);
  const seen = await latestIdentity(kv, USER, "2026-11-25");
  assertEquals(seen?.at.slice(0, 10), "2026-11-01");
  assertEquals(seen?.roles, ["ccgate.user", "ccgate.admin"]);
});
