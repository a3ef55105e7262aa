import { assert, assertEquals, assertRejects } from "../../testing/assert.ts";
import { FakeTimers } from "../../testing/fake_timers.ts";
import { ledgerEntry } from "../../testing/ledger_fixtures.ts";
import { readHeapSnapshot } from "../../testing/read_heap_snapshot.ts";
import { InvalidRequestError } from "../errors.ts";
import { MAX_PERCENTILE_ERROR } from "./latency_histogram.ts";
import type { LedgerEntry } from "./ledger_entry.ts";
import { MAX_MEMBER_READS, readUsageSummary } from "./read_usage_summary.ts";
import { ENTRY_PREFIX, type LedgerKv } from "./roll_up_entry.ts";
import { UsageLedger } from "./usage_ledger.ts";

const DAYS = ["2026-11-01", "2026-11-02", "2026-11-03"];
const MODELS = ["us.anthropic.claude-sonnet-4-5-20250929-v1:0", "us.anthropic.claude-haiku-4-5"];

/** 300 entries over three days: 7 users, 2 models, groups by user, some failures. */
function entries(): LedgerEntry[] {
  return Array.from({ length: 300 }, (_, i) => {
    const day = DAYS[i % 3]!;
    const failed = i % 17 === 0;
    return ledgerEntry({
      requestId: `req_${String(i).padStart(24, "0")}`,
      day,
      at: `${day}T${String(i % 24).padStart(2, "0")}:00:00.000Z`,
      user: `user-${i % 7}`,
      groups: i % 7 < 3 ? ["eng", "all"] : ["sales", "all"],
      bedrockModel: MODELS[i % 2]!,
      inputTokens: 100 + i,
      outputTokens: 10 + (i % 13),
      cacheReadTokens: i % 5,
      costUsd: i % 11 === 0 ? null : 0.001 * (i % 9),
      totalMs: 200 + 37 * i,
      firstByteMs: failed ? null : 50 + 3 * i,
      outcome: failed ? "upstream_error" : "completed",
      errorType: failed
        ? (i % 2 === 0 ? "ThrottlingException" : "ModelStreamErrorException")
        : null,
    });
  });
}

async function ledgerWith(list: LedgerEntry[]): Promise<Deno.Kv> {
  const kv = await Deno.openKv(":memory:");
  const ledger = new UsageLedger({ kv, timers: new FakeTimers() });
  for (const e of list) ledger.append(e);
  await ledger.close();
  return kv;
}

/** Exact nearest-rank percentile, for comparing the histogram's estimate. */
function exact(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

function near(estimate: number | null, value: number): boolean {
  return estimate !== null && Math.abs(estimate - value) <= value * MAX_PERCENTILE_ERROR + 1;
}

Deno.test("readUsageSummary() totals every entry of the range exactly, with per-day series, top users and models, error types and bucketed percentiles", async () => {
  const all = entries();
  using kv = await ledgerWith(all);
  const s = await readUsageSummary(kv, { from: "2026-10-31", to: "2026-11-03" }, 3);
  const tokens = (e: LedgerEntry) =>
    e.inputTokens + e.cacheReadTokens + e.cacheWriteTokens + e.outputTokens;
  const cost = (list: LedgerEntry[]) =>
    Math.round(list.reduce((n, e) => n + (e.costUsd ?? 0), 0) * 1e9) / 1e9;
  assertEquals(s.totals.requests, all.length);
  assertEquals(s.totals.errors, all.filter((e) => e.outcome !== "completed").length);
  assertEquals(s.totals.tokens, all.reduce((n, e) => n + tokens(e), 0));
  assertEquals(s.totals.outputTokens, all.reduce((n, e) => n + e.outputTokens, 0));
  assertEquals(s.totals.costUsd, cost(all));
  assertEquals(s.days.map((d) => [d.day, d.requests]), [
    ["2026-10-31", 0],
    ...DAYS.map((day) => [day, all.filter((e) => e.day === day).length]),
  ]);
  const byUser = new Map<string, number>();
  for (const e of all) byUser.set(e.user, (byUser.get(e.user) ?? 0) + tokens(e));
  const top = [...byUser].sort((a, b) => b[1] - a[1]).slice(0, 3);
  assertEquals(s.topUsers.map((u) => [u.user, u.tokens]), top);
  assertEquals(s.topModels.map((m) => m.model).sort(), [...MODELS].sort());
  const failed = all.filter((e) => e.outcome !== "completed");
  assertEquals(
    s.errorTypes.map((t) => [t.type, t.count]),
    ["ModelStreamErrorException", "ThrottlingException"].map((t) =>
      [t, failed.filter((e) => e.errorType === t).length] as [string, number]
    ).sort((a, b) => b[1] - a[1]),
  );
  const latencies = all.filter((e) => e.outcome === "completed").map((e) => e.totalMs);
  const firstBytes = all.flatMap((e) => e.firstByteMs === null ? [] : [e.firstByteMs]);
  for (const p of [0.5, 0.9, 0.99] as const) {
    const key = p === 0.5 ? "p50" : p === 0.9 ? "p90" : "p99";
    assert(near(s.latencyMs[key], exact(latencies, p)), `latency ${key}: ${s.latencyMs[key]}`);
    assert(near(s.firstByteMs[key], exact(firstBytes, p)), `first byte ${key}`);
  }
  assertEquals(s.percentiles.method, "log_histogram");
  assertEquals(s.truncated, false);
});

Deno.test("readUsageSummary() reads the rollups, never a ledger entry", async () => {
  using kv = await ledgerWith(entries());
  const listed: Deno.KvKey[] = [];
  const counting: LedgerKv = {
    get: kv.get.bind(kv),
    getMany: kv.getMany.bind(kv),
    set: kv.set.bind(kv),
    atomic: kv.atomic.bind(kv),
    list: ((selector: Deno.KvListSelector, options?: Deno.KvListOptions) => {
      listed.push("prefix" in selector ? selector.prefix : selector.start);
      return kv.list(selector, options);
    }) as Deno.Kv["list"],
  };
  const s = await readUsageSummary(counting, { from: "2026-11-01", to: "2026-11-03" });
  assertEquals(s.totals.requests, 300);
  assert(listed.length > 0);
  assert(
    listed.every((key) => key[0] === "usage"),
    `listed ${listed.filter((k) => k[0] !== "usage").map(String)}`,
  );
  // Entries are there, the summary simply does not need them.
  assertEquals((await Array.fromAsync(kv.list({ prefix: ENTRY_PREFIX }))).length, 300);
});

Deno.test("readUsageSummary() of a group: its totals, its members as top users and its error types, no percentiles", async () => {
  const all = entries();
  using kv = await ledgerWith(all);
  const eng = all.filter((e) => e.groups.includes("eng"));
  const s = await readUsageSummary(kv, { from: "2026-11-01", to: "2026-11-03", group: "eng" });
  assertEquals(s.totals.requests, eng.length);
  assertEquals(s.topUsers.map((u) => u.user).sort(), ["user-0", "user-1", "user-2"]);
  assertEquals(
    s.topUsers.reduce((n, u) => n + u.requests, 0),
    eng.length,
    "members' requests all carried the group",
  );
  assertEquals(
    s.errorTypes.reduce((n, t) => n + t.count, 0),
    eng.filter((e) => e.outcome !== "completed").length,
  );
  assertEquals(s.latencyMs, { p50: null, p90: null, p99: null });
});

Deno.test("readUsageSummary() of a user, of a model (by any of its ids), and refuses a user with a group", async () => {
  const all = entries();
  using kv = await ledgerWith(all);
  const range = { from: "2026-11-01", to: "2026-11-03" };
  const u3 = all.filter((e) => e.user === "user-3");
  const user = await readUsageSummary(kv, { ...range, user: "user-3" });
  assertEquals(user.totals.requests, u3.length);
  assertEquals(user.topUsers.map((u) => u.user), ["user-3"]);
  const latencies = u3.filter((e) => e.outcome === "completed").map((e) => e.totalMs);
  assert(near(user.latencyMs.p50, exact(latencies, 0.5)));

  const haiku = all.filter((e) => e.bedrockModel === MODELS[1]);
  const model = await readUsageSummary(kv, { ...range, model: "haiku", modelIds: [MODELS[1]!] });
  assertEquals(model.totals.requests, haiku.length);
  assertEquals(model.topModels.map((m) => m.model), [MODELS[1]]);
  const userModel = await readUsageSummary(kv, { ...range, user: "user-3", model: MODELS[1] });
  assertEquals(userModel.totals.requests, haiku.filter((e) => e.user === "user-3").length);

  await assertRejects(
    () => readUsageSummary(kv, { ...range, user: "user-3", group: "eng" }),
    InvalidRequestError,
  );
});

Deno.test("readUsageSummary() of a tenant: its own rows and statistics, a user of it, nothing of another tenant or of entries without a tenant; refuses a group", async () => {
  // user-0..3 of tenant A (user-3's first half rolled up before tenants were recorded), user-4
  // and 5 of tenant B, user-6 without one.
  const all = entries().map((e, i) => {
    const n = Number(e.user.slice(5));
    if (n === 6 || (n === 3 && i < 150)) return e;
    return { ...e, tid: n < 4 ? "Tenant-A" : "tenant-b" };
  });
  using kv = await ledgerWith(all);
  const range = { from: "2026-11-01", to: "2026-11-03" };
  const ofA = all.filter((e) => e.tid === "Tenant-A");
  const a = await readUsageSummary(kv, { ...range, tenant: "tenant-a" });
  assertEquals(a.totals.requests, ofA.length);
  assertEquals(a.totals.outputTokens, ofA.reduce((n, e) => n + e.outputTokens, 0));
  assertEquals(a.topUsers.map((u) => u.user).sort(), ["user-0", "user-1", "user-2", "user-3"]);
  assertEquals(
    a.errorTypes.reduce((n, t) => n + t.count, 0),
    ofA.filter((e) => e.outcome !== "completed").length,
  );
  const latencies = ofA.filter((e) => e.outcome === "completed").map((e) => e.totalMs);
  assert(near(a.latencyMs.p90, exact(latencies, 0.9)));
  assertEquals(a.days.map((d) => d.day), DAYS);

  const u3 = ofA.filter((e) => e.user === "user-3");
  const user = await readUsageSummary(kv, { ...range, tenant: "Tenant-A", user: "user-3" });
  assertEquals(user.totals.requests, u3.length, "the requests with a tenant only");
  assertEquals(user.topUsers.map((u) => u.user), ["user-3"]);
  assert(user.latencyMs.p50 !== null);
  const other = await readUsageSummary(kv, { ...range, tenant: "tenant-a", user: "user-4" });
  assertEquals([other.totals.requests, other.topUsers, other.errorTypes], [0, [], []]);
  assertEquals(other.latencyMs, { p50: null, p90: null, p99: null });
  const b = await readUsageSummary(kv, { ...range, tenant: "tenant-b", model: MODELS[1] });
  assertEquals(
    b.totals.requests,
    all.filter((e) => e.tid === "tenant-b" && e.bedrockModel === MODELS[1]).length,
  );
  await assertRejects(
    () => readUsageSummary(kv, { ...range, tenant: "tenant-a", group: "eng" }),
    InvalidRequestError,
    "covers every tenant",
  );
});

Deno.test("readUsageSummary() of a small group reads its members' rows, not every user's of the fleet; a large group's top users stay exact", async () => {
  // 400 users one day; a team of 3 of them; everyone in "all" (more than MAX_MEMBER_READS).
  const day = "2026-11-01";
  const fleet = Array.from({ length: 400 }, (_, i) =>
    ledgerEntry({
      requestId: `req_${String(i).padStart(24, "0")}`,
      day,
      at: `${day}T10:00:00.000Z`,
      user: `user-${String(i).padStart(3, "0")}`,
      groups: i % 150 === 0 ? ["team", "all"] : ["all"],
      inputTokens: 1_000 + i,
    }));
  assert(fleet.length > MAX_MEMBER_READS);
  using kv = await ledgerWith(fleet);
  let read = 0;
  const counting: LedgerKv = {
    get: kv.get.bind(kv),
    getMany: kv.getMany.bind(kv),
    set: kv.set.bind(kv),
    atomic: kv.atomic.bind(kv),
    list: ((selector: Deno.KvListSelector, options?: Deno.KvListOptions) =>
      (async function* () {
        for await (const entry of kv.list(selector, options)) {
          read++;
          yield entry;
        }
      })()) as unknown as Deno.Kv["list"],
  };
  const team = await readUsageSummary(counting, { from: day, to: day, group: "team" });
  assertEquals(team.topUsers.map((u) => u.user), ["user-300", "user-150", "user-000"]);
  assertEquals(team.totals.requests, 3);
  assert(read < fleet.length, `read ${read} keys for a team of 3 among ${fleet.length} users`);
  const all = await readUsageSummary(kv, { from: day, to: day, group: "all" });
  assertEquals(all.topUsers.length, 10);
  assertEquals(all.topUsers[0]!.user, "user-399");
  assertEquals(all.totals.requests, fleet.length);
});

/** Live objects with a `dimension` property (usage rows; ledger entries have none), after a full collection. */
async function liveUsageRows(): Promise<number> {
  const snapshot = JSON.parse(new TextDecoder().decode(await readHeapSnapshot())) as {
    snapshot: { meta: { edge_fields: string[]; edge_types: [string[]] } };
    edges: number[];
    strings: string[];
  };
  const fields = snapshot.snapshot.meta.edge_fields;
  const type = fields.indexOf("type");
  const name = fields.indexOf("name_or_index");
  const property = snapshot.snapshot.meta.edge_types[0].indexOf("property");
  let count = 0;
  for (let i = 0; i < snapshot.edges.length; i += fields.length) {
    if (
      snapshot.edges[i + type] === property &&
      snapshot.strings[snapshot.edges[i + name]!] === "dimension"
    ) count++;
  }
  return count;
}

Deno.test("readUsageSummary() folds each day's rows as it reads them: a long range of a fleet is never held at once", async () => {
  // 40 users a day for 30 days: 1,200 user × model rows in all.
  const days = Array.from({ length: 30 }, (_, i) => `2026-11-${String(i + 1).padStart(2, "0")}`);
  const fleet = days.flatMap((day, d) =>
    Array.from({ length: 40 }, (_, u) =>
      ledgerEntry({
        requestId: `req_${String(d * 100 + u).padStart(24, "0")}`,
        day,
        at: `${day}T10:00:00.000Z`,
        user: `user-${u}`,
        groups: [],
      }))
  );
  using kv = await ledgerWith(fleet);
  // Stops at the last day's statistics, to count the rows alive then.
  let live = -1;
  const paused: LedgerKv = {
    get: kv.get.bind(kv),
    getMany: kv.getMany.bind(kv),
    set: kv.set.bind(kv),
    atomic: kv.atomic.bind(kv),
    list: ((selector: Deno.KvListSelector, options?: Deno.KvListOptions) => {
      const key = "prefix" in selector ? selector.prefix : [];
      const last = key[1] === days.at(-1) && key[2] === "stats";
      return (async function* () {
        if (last) live = await liveUsageRows();
        yield* kv.list(selector, options);
      })();
    }) as unknown as Deno.Kv["list"],
  };
  const s = await readUsageSummary(paused, { from: days[0]!, to: days.at(-1)! });
  assertEquals(s.totals.requests, fleet.length);
  assertEquals(s.topUsers.length, 10);
  // Per user (40) and per day × model (30), plus the last day's 40 being folded: never all 1,200.
  assert(live >= 0 && live <= 2 * (40 + 30 + 40), `${live} usage rows alive`);
});
