import { assert, assertEquals } from "../../testing/assert.ts";
import { ledgerEntry } from "../../testing/ledger_fixtures.ts";
import type { LedgerEntry } from "./ledger_entry.ts";
import {
  ENTRY_PREFIX,
  rollUpEntry,
  rollupSums,
  USAGE_PREFIX,
  WAL_PREFIX,
} from "./roll_up_entry.ts";

async function sumOf(kv: Deno.Kv, key: Deno.KvKey): Promise<number> {
  const v = await kv.get<Deno.KvU64>(key);
  return v.value === null ? 0 : Number(v.value.value);
}

Deno.test("rollupSums() adds every non-zero metric per user and per group, by model", () => {
  const entry = ledgerEntry({ groups: ["eng", "eng", "ml"], costUsd: 0.5, cacheReadTokens: 7 });
  const sums = new Map(rollupSums(entry).map(([k, n]) => [JSON.stringify(k), n]));
  const model = entry.bedrockModel!;
  assertEquals(
    sums.get(JSON.stringify(["usage", entry.day, "user", "user-a", model, "requests"])),
    1n,
  );
  assertEquals(
    sums.get(JSON.stringify(["usage", entry.day, "group", "ml", model, "output_tokens"])),
    20n,
  );
  assertEquals(
    sums.get(JSON.stringify(["usage", entry.day, "user", "user-a", model, "cost_nano_usd"])),
    500_000_000n,
  );
  assertEquals(
    sums.get(JSON.stringify(["usage", entry.day, "group", "eng", model, "cache_read_tokens"])),
    7n,
  );
  assert(!sums.has(JSON.stringify(["usage", entry.day, "user", "user-a", model, "errors"])));
  // user + 2 distinct groups, 5 non-zero metrics each (requests, input, output, cache read, cost).
  assertEquals(sums.size, 3 * 5);
});

Deno.test("rollupSums() counts a failed or unpriced request as an error and unpriced", () => {
  const sums = rollupSums(ledgerEntry({ outcome: "client_aborted", costUsd: null, groups: [] }));
  const metrics = sums.map(([k]) => k.at(-1));
  assert(metrics.includes("errors") && metrics.includes("unpriced"));
  assert(!metrics.includes("cost_nano_usd"));
});

Deno.test("rollUpEntry() moves the log record into the ledger and sums it once, even when retried", async () => {
  using kv = await Deno.openKv(":memory:");
  const entry = ledgerEntry();
  await kv.set([...WAL_PREFIX, entry.requestId], entry);
  assertEquals(await rollUpEntry(kv, entry.requestId), "rolled_up");
  assertEquals((await kv.get([...WAL_PREFIX, entry.requestId])).value, null);
  assertEquals(
    (await kv.get<LedgerEntry>([...ENTRY_PREFIX, entry.day, entry.requestId])).value,
    entry,
  );
  const key = [...USAGE_PREFIX, entry.day, "user", "user-a", entry.bedrockModel!, "output_tokens"];
  assertEquals(await sumOf(kv, key), 20);

  // The same entry written to the log again (a retried write): removed, not summed again.
  await kv.set([...WAL_PREFIX, entry.requestId], entry);
  assertEquals(await rollUpEntry(kv, entry.requestId), "duplicate");
  assertEquals(await sumOf(kv, key), 20);
  assertEquals((await kv.get([...WAL_PREFIX, entry.requestId])).value, null);
  assertEquals(await rollUpEntry(kv, entry.requestId), "gone");
});
