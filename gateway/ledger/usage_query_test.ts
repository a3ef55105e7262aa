import { assertEquals } from "../../testing/assert.ts";
import { FakeTimers } from "../../testing/fake_timers.ts";
import { ledgerEntry } from "../../testing/ledger_fixtures.ts";
import { daysIn, latestIdentity, listEntries, queryUsage } from "./usage_query.ts";
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

  const { entries, truncated } = await listEntries(kv, {
    from: "2026-11-01",
    to: "2026-11-30",
    group: "ml",
  }, 1);
  assertEquals([entries.map((e) => e.requestId), truncated], [["r2"], true]);

  assertEquals(await latestIdentity(kv, "a", "2026-11-20"), {
    roles: ["lead"],
    groups: ["eng", "ml"],
    at: "2026-11-01T02:00:00.000Z",
  });
  assertEquals(await latestIdentity(kv, "a", "2026-11-20", 5), undefined);
});
