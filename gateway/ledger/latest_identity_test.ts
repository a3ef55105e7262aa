import { assertEquals } from "../../testing/assert.ts";
import { FakeTimers } from "../../testing/fake_timers.ts";
import { ledgerEntry } from "../../testing/ledger_fixtures.ts";
import { latestIdentity } from "./latest_identity.ts";
import { UsageLedger } from "./usage_ledger.ts";

Deno.test("latestIdentity() gives the tenant of the user's latest request, none for an entry without one", async () => {
  using kv = await Deno.openKv(":memory:");
  const ledger = new UsageLedger({ kv, timers: new FakeTimers() });
  const at = (day: string, hour: string) => ({ day, at: `${day}T${hour}:00:00.000Z` });
  ledger.append(ledgerEntry({ requestId: "req_1", user: "a", ...at("2026-11-10", "09") }));
  ledger.append(
    ledgerEntry({ requestId: "req_2", user: "a", tid: "t-1", ...at("2026-11-11", "09") }),
  );
  ledger.append(ledgerEntry({ requestId: "req_3", user: "b", ...at("2026-11-11", "10") }));
  await ledger.close();
  assertEquals((await latestIdentity(kv, "a", "2026-11-20"))?.tid, "t-1");
  assertEquals((await latestIdentity(kv, "a", "2026-11-10"))?.tid, undefined);
  assertEquals("tid" in (await latestIdentity(kv, "b", "2026-11-20"))!, false);
});
