import { assert, assertEquals } from "../../testing/assert.ts";
import { ledgerEntry } from "../../testing/ledger_fixtures.ts";
import type { LedgerEntry } from "./ledger_entry.ts";
import {
  ENTRY_PREFIX,
  MAX_ENTRY_SUM_KEY_BYTES,
  rollUpEntry,
  rollupKeyBytes,
  rollupModel,
  rollupSums,
  rollupTenant,
  UNKNOWN_MODEL,
  USAGE_PREFIX,
  userIndexKey,
  WAL_PREFIX,
} from "./roll_up_entry.ts";
import { latencyBucket } from "./latency_histogram.ts";

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
  // user + 2 distinct groups, 5 non-zero metrics each (requests, input, output, cache read,
  // cost); a member count per group; 2 latency histograms for all and for the user.
  assertEquals(sums.size, 3 * 5 + 2 + 2 * 2);
  assertEquals(
    sums.get(JSON.stringify(["usage", entry.day, "group_member", "ml", "user-a"])),
    1n,
  );
});

Deno.test("rollupSums() counts a request in latency buckets for all and its user, a failure by error type also per group", () => {
  const model = ledgerEntry().bedrockModel!;
  const ok = ledgerEntry({ groups: ["eng"], totalMs: 900, firstByteMs: 100 });
  const okKeys = rollupSums(ok).map(([k]) => JSON.stringify(k));
  for (const [scope, name] of [["all", ""], ["user", "user-a"]]) {
    const stats = ["usage", ok.day, "stats", scope, name, model];
    assert(okKeys.includes(JSON.stringify([...stats, "total_ms", latencyBucket(900)])));
    assert(okKeys.includes(JSON.stringify([...stats, "first_byte_ms", latencyBucket(100)])));
  }
  assert(!okKeys.some((k) => k.includes('"stats","group"')), "no latency histograms per group");
  const failed = ledgerEntry({
    groups: ["eng"],
    outcome: "upstream_error",
    errorType: "ThrottlingException",
    firstByteMs: null,
  });
  const failedKeys = rollupSums(failed).map(([k]) => k).filter((k) => k[2] === "stats");
  assertEquals(failedKeys.map((k) => k.slice(3).join("/")), [
    `all//${model}/error_type/ThrottlingException`,
    `user/user-a/${model}/error_type/ThrottlingException`,
    `group/eng/${model}/error_type/ThrottlingException`,
  ]);
  const aborted = rollupSums(ledgerEntry({ groups: [], outcome: "client_aborted" }));
  assert(aborted.some(([k]) => k.at(-1) === "client_aborted"), "the outcome when no error type");
});

Deno.test("rollupSums() of an entry with a tenant adds the tenant's user rows and statistics under the tenant lower-cased; none without", () => {
  const model = ledgerEntry().bedrockModel!;
  const plain = ledgerEntry({ groups: [], totalMs: 900, firstByteMs: 100 });
  const entry = { ...plain, tid: "Contoso.onmicrosoft.com" };
  const sums = new Map(rollupSums(entry).map(([k, n]) => [JSON.stringify(k), n]));
  const tenant = "contoso.onmicrosoft.com";
  assertEquals(rollupTenant(entry.tid), tenant);
  const row = ["usage", entry.day, "tenant", tenant, "user-a", model];
  assertEquals(sums.get(JSON.stringify([...row, "requests"])), 1n);
  assertEquals(sums.get(JSON.stringify([...row, "output_tokens"])), 20n);
  const stats = ["usage", entry.day, "stats", "tenant", tenant, model];
  assertEquals(sums.get(JSON.stringify([...stats, "total_ms", latencyBucket(900)])), 1n);
  assertEquals(sums.get(JSON.stringify([...stats, "first_byte_ms", latencyBucket(100)])), 1n);
  // The usual completed request: its 4 non-zero metrics (requests, input, output, cost) and
  // 2 latency buckets again, for the tenant; nothing for an entry without one.
  const without = rollupSums(plain);
  assertEquals(sums.size - without.length, 4 + 2);
  assert(without.every(([k]) => k[2] !== "tenant" && k[3] !== "tenant"));
  const failed = { ...entry, outcome: "upstream_error" as const, errorType: "ThrottlingException" };
  const failedKeys = rollupSums(failed).map(([k]) => JSON.stringify(k));
  assert(failedKeys.includes(JSON.stringify([...stats, "error_type", "ThrottlingException"])));
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
  assertEquals((await kv.get(userIndexKey(entry))).value, entry.at, "indexed by user");

  // The same entry written to the log again (a retried write): removed, not summed again.
  await kv.set([...WAL_PREFIX, entry.requestId], entry);
  assertEquals(await rollUpEntry(kv, entry.requestId), "duplicate");
  assertEquals(await sumOf(kv, key), 20);
  assertEquals((await kv.get([...WAL_PREFIX, entry.requestId])).value, null);
  assertEquals(await rollUpEntry(kv, entry.requestId), "gone");
});

Deno.test("rollUpEntry() rolls up an entry with 20 long group names and a 512-character model in one KV operation", async () => {
  using kv = await Deno.openKv(":memory:");
  const entry = ledgerEntry({
    user: "u".repeat(256),
    tid: "t".repeat(256),
    groups: Array.from({ length: 20 }, (_, g) => `${g}`.padEnd(256, "g")),
    model: "m".repeat(512),
    bedrockModel: null,
    costUsd: null,
    outcome: "rejected",
    errorType: "e".repeat(300),
  });
  const sums = rollupSums(entry);
  const bytes = sums.reduce((n, [key]) => n + rollupKeyBytes(key), 0);
  assert(bytes <= MAX_ENTRY_SUM_KEY_BYTES, `${bytes} bytes of keys`);
  assert(sums.some(([k]) => k[2] === "group"), "the first groups are still summed");
  assert(sums.some(([k]) => k[2] === "tenant"), "the tenant's rows always are");
  await kv.set([...WAL_PREFIX, entry.requestId], entry);
  assertEquals(await rollUpEntry(kv, entry.requestId), "rolled_up");
  const user = [...USAGE_PREFIX, entry.day, "user", entry.user, entry.model!, "requests"];
  assertEquals(await sumOf(kv, user), 1);
});

Deno.test("rollupSums() rolls a request for a model that does not exist up under one bucket", () => {
  const keys = new Set<string>();
  let afterSix = 0;
  for (let i = 0; i < 30; i++) {
    if (i === 6) afterSix = keys.size;
    for (
      const errorType of ["model_not_found", "ResourceNotFoundException"]
    ) {
      const entry = ledgerEntry({
        requestId: `req_${i}_${errorType}`,
        model: `claude-sonnet-4-5-x${i}`,
        bedrockModel: errorType === "model_not_found" && i % 2 === 0
          ? null
          : `us.anthropic.claude-sonnet-4-5-x${i}`,
        outputTokens: 0,
        outcome: i % 3 === 0 ? "rejected" : "upstream_error",
        status: 404,
        errorType,
      });
      for (const [key] of rollupSums(entry)) keys.add(JSON.stringify(key));
    }
  }
  const day = ledgerEntry().day;
  assert(keys.has(JSON.stringify(["usage", day, "user", "user-a", UNKNOWN_MODEL, "requests"])));
  // 60 requests, 30 names: names 7 to 30 add no key (the first 6 cover every outcome and field).
  assertEquals(keys.size, afterSix);
  for (const key of keys) assert(!key.includes("claude-sonnet-4-5-x"), key);
});

Deno.test("rollupModel() keeps the model of other failures and of completed requests", () => {
  const base = { model: "claude-sonnet-4-5", bedrockModel: "us.anthropic.claude-sonnet-4-5" };
  assertEquals(
    rollupModel({ ...base, outcome: "upstream_error", errorType: "ValidationException" }),
    "us.anthropic.claude-sonnet-4-5",
  );
  assertEquals(
    rollupModel({ ...base, bedrockModel: null, outcome: "rejected", errorType: "rate_limited" }),
    "claude-sonnet-4-5",
  );
  assertEquals(
    rollupModel({ ...base, outcome: "completed", errorType: null }),
    "us.anthropic.claude-sonnet-4-5",
  );
  assertEquals(
    rollupModel({ ...base, outcome: "upstream_error", errorType: "model_not_found" }),
    UNKNOWN_MODEL,
  );
});
