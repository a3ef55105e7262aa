import { assert, assertEquals, assertRejects } from "../../testing/assert.ts";
import { FakeTimers } from "../../testing/fake_timers.ts";
import { ledgerEntry } from "../../testing/ledger_fixtures.ts";
import { InvalidRequestError } from "../errors.ts";
import type { LedgerEntry } from "./ledger_entry.ts";
import { latestIdentity } from "./latest_identity.ts";
import { ENTRY_PREFIX, type LedgerKv } from "./roll_up_entry.ts";
import { type EntryCursor, formatEntryCursor, parseEntryCursor } from "./entry_cursor.ts";
import { daysIn, listEntries, queryUsage } from "./usage_query.ts";
import { UsageLedger } from "./usage_ledger.ts";

Deno.test("daysIn() lists the days of a range, across months, and refuses bad or long ranges", () => {
  assertEquals(daysIn("2026-11-29", "2026-12-02"), [
    "2026-11-29",
    "2026-11-30",
    "2026-12-01",
    "2026-12-02",
  ]);
  assertEquals(daysIn("2026-11-02", "2026-11-01"), undefined);
  assertEquals(daysIn("2026-11-1", "2026-11-02"), undefined);
  assertEquals(daysIn("2025-01-01", "2026-11-02"), undefined);
});

Deno.test("queryUsage(), listEntries() and latestIdentity() read what the ledger wrote", async () => {
  using kv = await Deno.openKv(":memory:");
  const ledger = new UsageLedger({ kv, timers: new FakeTimers() });
  ledger.append(
    ledgerEntry({
      requestId: "r1",
      day: "2026-11-01",
      at: "2026-11-01T01:00:00.000Z",
      user: "a",
      groups: ["eng"],
      roles: ["dev"],
    }),
  );
  ledger.append(
    ledgerEntry({
      requestId: "r2",
      day: "2026-11-01",
      at: "2026-11-01T02:00:00.000Z",
      user: "a",
      groups: ["eng", "ml"],
      roles: ["lead"],
      bedrockModel: "m2",
    }),
  );
  ledger.append(
    ledgerEntry({
      requestId: "r3",
      day: "2026-11-02",
      at: "2026-11-02T01:00:00.000Z",
      user: "b",
      groups: ["ml"],
    }),
  );
  await ledger.close();

  const byUser = await queryUsage(kv, { from: "2026-11-01", to: "2026-11-02" });
  assertEquals(byUser.map((r) => [r.day, r.name, r.model, r.requests]), [
    ["2026-11-01", "a", "m2", 1],
    ["2026-11-01", "a", ledgerEntry().bedrockModel, 1],
    ["2026-11-02", "b", ledgerEntry().bedrockModel, 1],
  ]);
  const ml = await queryUsage(kv, { from: "2026-11-01", to: "2026-11-02", group: "ml" });
  assertEquals(ml.map((r) => [r.day, r.dimension, r.name, r.outputTokens]), [
    ["2026-11-01", "group", "ml", 20],
    ["2026-11-02", "group", "ml", 20],
  ]);
  const m2 = await queryUsage(kv, { from: "2026-11-01", to: "2026-11-02", model: "m2" });
  assertEquals(m2.length, 1);

  const { entries, truncated, next } = await listEntries(kv, {
    from: "2026-11-01",
    to: "2026-11-30",
    group: "ml",
  }, { limit: 1 });
  assertEquals([entries.map((e) => e.requestId), truncated, next], [["r2"], true, {
    day: "2026-11-01",
    requestId: "r2",
  }]);

  assertEquals(await latestIdentity(kv, "a", "2026-11-20"), {
    roles: ["lead"],
    groups: ["eng", "ml"],
    at: "2026-11-01T02:00:00.000Z",
  });
  assertEquals(await latestIdentity(kv, "a", "2026-11-20", 5), undefined);
});

/** 250 entries over 5 days, 5 users; listed in the order KV keeps them (day, then request id). */
async function ledgerOf250(): Promise<{ kv: Deno.Kv; all: LedgerEntry[] }> {
  const kv = await Deno.openKv(":memory:");
  const ledger = new UsageLedger({ kv, timers: new FakeTimers() });
  const all = Array.from({ length: 250 }, (_, i) => {
    const day = `2026-11-0${1 + (i % 5)}`;
    // Request ids in no order: the listing sorts by day, then id.
    const id = `req_${((i * 7919) % 1000).toString(16).padStart(24, "0")}`;
    return ledgerEntry({
      requestId: id,
      day,
      at: `${day}T${String(i % 24).padStart(2, "0")}:00:00.000Z`,
      user: `user-${i % 5 === 0 ? "z" : i % 4}`,
      groups: i % 3 === 0 ? ["ml"] : ["eng"],
    });
  });
  for (const e of all) ledger.append(e);
  await ledger.close();
  all.sort((a, b) => a.day.localeCompare(b.day) || (a.requestId < b.requestId ? -1 : 1));
  return { kv, all };
}

/** A KV whose `list` and `getMany` calls are recorded (what a query reads). */
function recording(kv: Deno.Kv): { kv: LedgerKv; listed: Deno.KvKey[]; fetched: Deno.KvKey[] } {
  const listed: Deno.KvKey[] = [];
  const fetched: Deno.KvKey[] = [];
  return {
    listed,
    fetched,
    kv: {
      get: ((key: Deno.KvKey) => (fetched.push(key), kv.get(key))) as Deno.Kv["get"],
      getMany: ((keys: Deno.KvKey[]) => (fetched.push(...keys), kv.getMany(keys))) as Deno.Kv[
        "getMany"
      ],
      set: kv.set.bind(kv),
      atomic: kv.atomic.bind(kv),
      list: ((selector: Deno.KvListSelector, options?: Deno.KvListOptions) => {
        listed.push("prefix" in selector ? selector.prefix : selector.start);
        return kv.list(selector, options);
      }) as Deno.Kv["list"],
    },
  };
}

Deno.test("listEntries() pages a day range with after/next: every entry once, in order, truncated until the last page", async () => {
  const { kv, all } = await ledgerOf250();
  using _ = kv;
  for (const filter of [{}, { group: "ml" }, { user: "user-z" }]) {
    const range = { from: "2026-11-02", to: "2026-11-05", ...filter };
    const want = all.filter((e) =>
      e.day >= range.from && e.day <= range.to &&
      (!("group" in filter) || e.groups.includes(filter.group!)) &&
      (!("user" in filter) || e.user === filter.user)
    );
    const seen: string[] = [];
    let after: EntryCursor | undefined;
    let pages = 0;
    do {
      const page = await listEntries(kv, range, { limit: 17, after });
      seen.push(...page.entries.map((e) => e.requestId));
      assertEquals(page.truncated, page.next !== undefined);
      if (page.truncated) assertEquals(page.entries.length, 17);
      after = page.next && parseEntryCursor(formatEntryCursor(page.next));
      pages++;
    } while (after !== undefined);
    assertEquals(seen, want.map((e) => e.requestId), JSON.stringify(filter));
    // `truncated` means more exist: a last page that happens to be full says so too.
    assertEquals(pages, Math.max(1, Math.ceil(want.length / 17)));
  }
  await assertRejects(() =>
    listEntries(kv, { from: "2026-11-01", to: "2026-11-01" }, {
      limit: 10_001,
    }), RangeError);
});

Deno.test("listEntries() ends a page of a rare group after maxScan entries read, with a `next` that goes on", async () => {
  const { kv, all } = await ledgerOf250();
  using _ = kv;
  const range = { from: "2026-11-01", to: "2026-11-05", group: "ml" };
  const { kv: recorded, listed } = recording(kv);
  const first = await listEntries(recorded, range, { limit: 1000, maxScan: 30 });
  assertEquals(listed.length, 1);
  assert(first.entries.length < 30 && first.truncated && first.next !== undefined);
  const seen = [...first.entries];
  let after: EntryCursor | undefined = first.next;
  while (after !== undefined) {
    const page = await listEntries(kv, range, { limit: 1000, maxScan: 30, after });
    seen.push(...page.entries);
    after = page.next;
  }
  assertEquals(
    seen.map((e) => e.requestId),
    all.filter((e) => e.groups.includes("ml")).map((e) => e.requestId),
  );
});

Deno.test("listEntries() of a user and latestIdentity() read that user's index, never other users' entries", async () => {
  const { kv, all } = await ledgerOf250();
  using _ = kv;
  const z = all.filter((e) => e.user === "user-z");
  const { kv: recorded, listed, fetched } = recording(kv);
  const page = await listEntries(recorded, {
    from: "2026-11-01",
    to: "2026-11-05",
    user: "user-z",
  });
  assertEquals(page.entries.map((e) => e.requestId), z.map((e) => e.requestId));
  // The user's index, and the user's roll-up rows (checking the index is complete).
  const own = (k: Deno.KvKey) =>
    (k[1] === "by_user" && k[2] === "user-z") ||
    (k[0] === "usage" && k.slice(2).join() === "user,user-z");
  assert(listed.every(own), `listed ${listed}`);
  assertEquals(fetched.length, z.length, "one read per entry of the user");
  assert(fetched.every((k) => k[1] === "entry"));

  listed.length = 0;
  fetched.length = 0;
  const latest = z.reduce((a, b) => a.at > b.at ? a : b);
  assertEquals((await latestIdentity(recorded, "user-z", "2026-11-20"))?.at, latest.at);
  assert(listed.every(own), `listed ${listed}`);
  assertEquals(fetched.length, 1);
  assertEquals(await latestIdentity(recorded, "nobody", "2026-11-20"), undefined);
  assert(!listed.some((k) => k[0] === ENTRY_PREFIX[0] && k[1] === ENTRY_PREFIX[1]));
});

Deno.test("queryUsage() refuses a user with a group (it used to drop the user silently)", async () => {
  using kv = await Deno.openKv(":memory:");
  await assertRejects(
    () => queryUsage(kv, { from: "2026-11-01", to: "2026-11-01", user: "a", group: "eng" }),
    InvalidRequestError,
    "user, group",
  );
});

Deno.test("queryUsage() and listEntries() of a tenant read its rows and its entries only, never an entry without a tenant; a group is refused on usage", async () => {
  using kv = await Deno.openKv(":memory:");
  const ledger = new UsageLedger({ kv, timers: new FakeTimers() });
  const day = "2026-11-01";
  const entry = (requestId: string, user: string, tid?: string) =>
    ledgerEntry({ requestId, day, at: `${day}T01:00:00.000Z`, user, groups: ["eng"], tid });
  ledger.append(entry("r1", "a", "T1"));
  ledger.append(entry("r2", "a"));
  ledger.append(entry("r3", "b", "t2"));
  ledger.append(entry("r4", "c", "t1"));
  await ledger.close();
  const range = { from: day, to: day };
  const t1 = await queryUsage(kv, { ...range, tenant: "t1" });
  assertEquals(t1.map((r) => [r.dimension, r.name, r.requests]), [["user", "a", 1], [
    "user",
    "c",
    1,
  ]]);
  assertEquals(await queryUsage(kv, { ...range, tenant: "T1", user: "b" }), []);
  assertEquals((await queryUsage(kv, { ...range, tenant: "t2", user: "b" })).length, 1);
  await assertRejects(
    () => queryUsage(kv, { ...range, tenant: "t1", group: "eng" }),
    InvalidRequestError,
    "covers every tenant",
  );
  const ids = async (filter: Partial<Parameters<typeof listEntries>[1]>) =>
    (await listEntries(kv, { ...range, ...filter })).entries.map((e) => e.requestId);
  assertEquals(await ids({ tenant: "t1" }), ["r1", "r4"]);
  assertEquals(await ids({ tenant: "t1", user: "a" }), ["r1"]);
  assertEquals(await ids({ tenant: "t1", group: "eng" }), ["r1", "r4"]);
  assertEquals(await ids({ tenant: "t1", user: "b" }), []);
  assertEquals(await ids({}), ["r1", "r2", "r3", "r4"]);
});

/** 60 entries of one day, tenants t1 and t2 taking turns (t1 first), users u0..u2 of each. */
async function twoTenantLedger(): Promise<{ kv: Deno.Kv; all: LedgerEntry[] }> {
  const kv = await Deno.openKv(":memory:");
  const ledger = new UsageLedger({ kv, timers: new FakeTimers() });
  const day = "2026-11-01";
  const all = Array.from({ length: 60 }, (_, i) =>
    ledgerEntry({
      requestId: `req_${String(i).padStart(24, "0")}`,
      day,
      at: `${day}T01:00:00.000Z`,
      user: `${i % 2 === 0 ? "t1" : "t2"}-u${i % 3}`,
      tid: i % 2 === 0 ? "T1" : "t2",
      groups: i % 4 === 1 ? ["ml"] : ["eng"],
    }));
  for (const e of all) ledger.append(e);
  await ledger.close();
  return { kv, all };
}

Deno.test("listEntries() of a tenant reads its index only: no other tenant's entry is read, and every `next` is one of its own", async () => {
  const { kv, all } = await twoTenantLedger();
  using _ = kv;
  const range = { from: "2026-11-01", to: "2026-11-01" };
  const t2 = new Set(all.filter((e) => e.tid === "t2").map((e) => e.requestId));
  for (
    const [filter, options] of [
      [{ tenant: "T2" }, { limit: 1 }],
      [{ tenant: "t2", group: "ml" }, { limit: 1 }],
      [{ tenant: "t2", user: "t2-u1" }, { limit: 2 }],
      // A scan budget smaller than the page: pages end on the budget.
      [{ tenant: "t2", group: "ml" }, { limit: 100, maxScan: 3 }],
    ] as const
  ) {
    const { kv: recorded, listed, fetched } = recording(kv);
    const seen: string[] = [];
    let after: EntryCursor | undefined;
    do {
      const page = await listEntries(recorded, { ...range, ...filter }, { ...options, after });
      seen.push(...page.entries.map((e) => e.requestId));
      if (page.next !== undefined) {
        assert(
          t2.has(page.next.requestId),
          `next ${page.next.requestId} of ${JSON.stringify(filter)}`,
        );
      }
      after = page.next;
    } while (after !== undefined);
    const want = all.filter((e) =>
      e.tid === "t2" && (!("group" in filter) || e.groups.includes(filter.group)) &&
      (!("user" in filter) || e.user === filter.user)
    );
    assertEquals(seen, want.map((e) => e.requestId), JSON.stringify(filter));
    assert(listed.every((k) => k[1] === "by_tenant" && k[2] === "t2"), `listed ${listed}`);
    assert(fetched.every((k) => t2.has(k[3] as string)), "only the tenant's entries read");
  }
});

Deno.test("listEntries() and latestIdentity() read 9999-12-31, the last day daysIn() takes, alone and at the end of a range", async () => {
  using kv = await Deno.openKv(":memory:");
  const ledger = new UsageLedger({ kv, timers: new FakeTimers() });
  for (const day of ["9999-06-01", "9999-12-31"]) {
    ledger.append(
      ledgerEntry({ requestId: `req_${day}`, day, at: `${day}T10:00:00.000Z`, tid: "t1" }),
    );
  }
  await ledger.close();
  for (const filter of [{}, { user: "user-a" }, { tenant: "t1" }, { group: "eng" }]) {
    const ids = async (from: string) =>
      (await listEntries(kv, { from, to: "9999-12-31", ...filter })).entries.map((e) =>
        e.requestId
      );
    assertEquals(await ids("9999-12-31"), ["req_9999-12-31"], JSON.stringify(filter));
    assertEquals(await ids("9999-06-01"), ["req_9999-06-01", "req_9999-12-31"]);
  }
  assertEquals((await queryUsage(kv, { from: "9999-12-31", to: "9999-12-31" })).length, 1);
  assertEquals((await latestIdentity(kv, "user-a", "9999-12-31"))?.at, "9999-12-31T10:00:00.000Z");
});
