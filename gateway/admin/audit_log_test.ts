import { assert, assertEquals, assertRejects } from "../../testing/assert.ts";
import { AuditCursorError, formatAuditCursor, parseAuditCursor } from "./audit_cursor.ts";
import {
  AuditLog,
  type AuditQuery,
  type AuditRecord,
  MAX_AUDIT_DETAILS_CHARS,
  MAX_DENIED_ACTIONS_PER_MINUTE,
  OTHER_DENIED_ACTIONS,
} from "./audit_log.ts";

const DAY = { from: "2026-11-30", to: "2026-11-30" };

function record(at: string, fields: Partial<AuditRecord> = {}): AuditRecord {
  return {
    at,
    requestId: `req_${at}`,
    actor: "admin",
    sid: "sess-admin",
    action: "GET /admin/api/usage",
    details: {},
    status: 200,
    decision: "allowed",
    ...fields,
  };
}

const denied = (at: string, actor: string, action = "GET /admin/api/usage") =>
  record(at, { actor, action, decision: "denied", status: 403, requestId: `req_${actor}_${at}` });

/** Reads every page of a query, returning the pages' records in order. */
async function readAll(audit: AuditLog, query: AuditQuery): Promise<AuditRecord[][]> {
  const pages: AuditRecord[][] = [];
  let after: string | undefined;
  do {
    const page = await audit.list({ ...query, after });
    pages.push(page.records);
    after = page.next;
  } while (after !== undefined);
  return pages;
}

Deno.test("AuditLog.write() keeps one record per actor and minute for denied calls, with their count", async () => {
  await using kv = await Deno.openKv(":memory:");
  const audit = new AuditLog(kv);
  // 200 concurrent denied calls in one minute, then 3 in the next.
  await Promise.all(
    Array.from(
      { length: 200 },
      (_, i) =>
        audit.write(denied(`2026-11-30T00:00:${String(i % 60).padStart(2, "0")}.000Z`, "mallory")),
    ),
  );
  for (const s of ["00", "30", "59"]) {
    await audit.write(denied(`2026-11-30T00:01:${s}.000Z`, "mallory"));
  }
  // Newer than any of mallory's first minute, whichever of her concurrent calls made the record.
  await audit.write(denied("2026-11-30T00:00:59.500Z", "eve", "DELETE /admin/api/x"));
  const { records, next } = await audit.list(DAY);
  assertEquals(next, undefined);
  assertEquals(records.map((r) => [r.actor, r.decision, r.count]), [
    ["mallory", "denied", 3],
    ["eve", "denied", 1],
    ["mallory", "denied", 200],
  ]);
  assertEquals(records[0]!.at, "2026-11-30T00:01:00.000Z");
  assertEquals(records[1]!.action, "DELETE /admin/api/x");
});

Deno.test("AuditLog.list() answers newest first, so denied calls never push an allowed one off the first page", async () => {
  await using kv = await Deno.openKv(":memory:");
  const audit = new AuditLog(kv);
  const flood = (minute: number) =>
    Promise.all(Array.from({ length: 500 }, (_, i) =>
      audit.write(denied(
        `2026-11-30T00:${String(minute).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}.000Z`,
        `user-${i % 5}`,
      ))));
  await flood(0);
  await audit.write(record("2026-11-30T00:05:00.000Z", { requestId: "req_real" }));
  await flood(6);
  const { records } = await audit.list({ ...DAY, limit: 20 });
  assert(records.some((r) => r.requestId === "req_real"), "the allowed action is on page one");
  // Five actors, two minutes: ten denied records for a thousand calls.
  const deniedRecords = records.filter((r) => r.decision === "denied");
  assertEquals(deniedRecords.length, 10);
  assertEquals(deniedRecords.reduce((n, r) => n + r.count!, 0), 1_000);
  const allowed = await audit.list({ ...DAY, decision: "allowed" });
  assertEquals(allowed.records.map((r) => r.requestId), ["req_real"]);
});

Deno.test("AuditLog.list() pages with a cursor, every record exactly once, newest first", async () => {
  await using kv = await Deno.openKv(":memory:");
  const audit = new AuditLog(kv);
  const written: string[] = [];
  for (let i = 0; i < 23; i++) {
    const at = `2026-11-30T0${i % 3}:${String(i).padStart(2, "0")}:00.000Z`;
    const r = i % 4 === 0 ? denied(at, `u${i}`) : record(at, { actor: i % 2 ? "ann" : "bob" });
    await audit.write(r);
    written.push(r.requestId);
  }
  // A record of the day before and of the day after stay out of the range.
  await audit.write(record("2026-11-29T23:59:59.999Z"));
  await audit.write(record("2026-12-01T00:00:00.000Z"));
  const all = (await audit.list(DAY)).records;
  assertEquals(all.length, 23);
  const times = all.map((r) => r.at);
  assertEquals(times, [...times].sort().reverse());
  for (const limit of [1, 4, 7, 23, 100]) {
    const pages = await readAll(audit, { ...DAY, limit });
    assert(pages.every((p) => p.length <= limit), `limit ${limit}`);
    assertEquals(
      pages.flat().map((r) => r.requestId),
      all.map((r) => r.requestId),
      `limit ${limit}`,
    );
    assertEquals(new Set(pages.flat().map((r) => r.requestId)), new Set(written));
  }
  // Filters page too, each record once.
  const ann = (await readAll(audit, { ...DAY, limit: 2, actor: "ann" })).flat();
  assertEquals(
    ann.map((r) => r.requestId),
    all.filter((r) => r.actor === "ann").map((r) => r.requestId),
  );
  const deniedOnly = (await readAll(audit, { ...DAY, limit: 2, decision: "denied" })).flat();
  assertEquals(deniedOnly.length, 6);
  assert(deniedOnly.every((r) => r.decision === "denied"));
});

Deno.test("AuditLog.list() ends a page at its scan budget with a cursor when a filter matches little", async () => {
  await using kv = await Deno.openKv(":memory:");
  const audit = new AuditLog(kv, { scanBudget: 5 });
  for (let i = 0; i < 12; i++) {
    const at = `2026-11-30T10:00:${String(i).padStart(2, "0")}.000Z`;
    await audit.write(record(at, { actor: i === 1 ? "needle" : "hay", requestId: `req_${i}` }));
  }
  const pages = await readAll(audit, { ...DAY, actor: "needle" });
  assertEquals(pages.map((p) => p.map((r) => r.requestId)), [[], [], ["req_1"]]);
});

Deno.test("AuditLog.list() refuses a cursor that is not one, or is outside the day range", async () => {
  await using kv = await Deno.openKv(":memory:");
  const audit = new AuditLog(kv);
  for (let i = 0; i < 3; i++) await audit.write(record(`2026-11-30T10:00:0${i}.000Z`));
  const { next } = await audit.list({ ...DAY, limit: 1 });
  assert(next !== undefined);
  const other = { from: "2026-12-01", to: "2026-12-02" };
  for (const after of ["garbage!", "e30", formatAuditCursor(["x", "y", "z"]), "a".repeat(3000)]) {
    await assertRejects(() => audit.list({ ...DAY, after }), AuditCursorError);
  }
  await assertRejects(() => audit.list({ ...other, after: next }), AuditCursorError);
  assertEquals(parseAuditCursor(next)?.[0], "2026-11-30T10:00:02.000Z");
});

Deno.test("AuditLog.write() replaces details too large to store by their size", async () => {
  await using kv = await Deno.openKv(":memory:");
  const audit = new AuditLog(kv);
  const big = { q: ["x".repeat(MAX_AUDIT_DETAILS_CHARS)] };
  await audit.write(record("2026-11-30T10:00:00.000Z", { details: big }));
  await audit.write(
    denied("2026-11-30T10:00:01.000Z", "mallory", `GET /admin/api/${"y".repeat(70_000)}`),
  );
  const { records } = await audit.list(DAY);
  const byDecision = (d: string) => records.find((r) => r.decision === d)!;
  assertEquals(byDecision("allowed").details, {
    omitted: `${JSON.stringify(big).length} characters of details`,
  });
  assertEquals(byDecision("denied").action.length, 1_024);
});

Deno.test("AuditLog.write() keeps an actor's denied actions apart, at most MAX_DENIED_ACTIONS_PER_MINUTE a minute, the rest in one record", async () => {
  await using kv = await Deno.openKv(":memory:");
  const audit = new AuditLog(kv);
  // 40 distinct paths, three calls each, all at once, in one minute.
  await Promise.all(
    Array.from({ length: 120 }, (_, i) =>
      audit.write(denied(
        `2026-11-30T00:00:${String(i % 60).padStart(2, "0")}.000Z`,
        "mallory",
        `PUT /admin/api/budget-overrides/u${i % 40}`,
      ))),
  );
  const { records } = await audit.list(DAY);
  assertEquals(records.length, MAX_DENIED_ACTIONS_PER_MINUTE + 1);
  assertEquals(records.reduce((n, r) => n + r.count!, 0), 120);
  const other = records.filter((r) => r.action === OTHER_DENIED_ACTIONS);
  assertEquals(other.length, 1);
  assert(String(other[0]!.details.first_action).startsWith("PUT /admin/api/budget-overrides/u"));
  const kept = records.filter((r) => r.action !== OTHER_DENIED_ACTIONS);
  assertEquals(new Set(kept.map((r) => r.action)).size, MAX_DENIED_ACTIONS_PER_MINUTE);
  assert(kept.every((r) => r.count === 3), "each kept action counts its own three calls");
  assertEquals(other[0]!.count, 120 - 3 * MAX_DENIED_ACTIONS_PER_MINUTE);
  // The next minute starts afresh.
  await audit.write(denied("2026-11-30T00:01:00.000Z", "mallory", "DELETE /admin/api/x"));
  assertEquals((await audit.list(DAY)).records[0]!.action, "DELETE /admin/api/x");
});

Deno.test("AuditLog.list() counts and pages denied records written before actions were kept apart", async () => {
  await using kv = await Deno.openKv(":memory:");
  const audit = new AuditLog(kv);
  // The former layout: ["audit", at, "~denied", actor] counted at ["audit_denied_count", minute, actor].
  await kv.set(
    ["audit", "2026-11-30T00:00:10.000Z", "~denied", "eve"],
    denied("2026-11-30T00:00:10.000Z", "eve"),
  );
  await kv.set(["audit_denied_count", "2026-11-30T00:00:00.000Z", "eve"], new Deno.KvU64(7n));
  await audit.write(denied("2026-11-30T00:00:20.000Z", "eve"));
  await audit.write(record("2026-11-30T00:00:30.000Z"));
  const pages = await readAll(audit, { ...DAY, limit: 1 });
  assertEquals(pages.map((p) => p.map((r) => [r.at, r.decision, r.count])), [
    [["2026-11-30T00:00:30.000Z", "allowed", 1]],
    [["2026-11-30T00:00:20.000Z", "denied", 1]],
    [["2026-11-30T00:00:10.000Z", "denied", 7]],
  ]);
});

Deno.test("AuditLog.write() keeps the short values of details too large to store, and counts the long ones", async () => {
  await using kv = await Deno.openKv(":memory:");
  const audit = new AuditLog(kv);
  const sids = Array.from(
    { length: 400 },
    (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
  );
  await audit.write(
    record("2026-11-30T10:00:00.000Z", { details: { sub: ["u-1"], revoked: sids } }),
  );
  const { records } = await audit.list(DAY);
  assertEquals(records[0]!.details, {
    sub: ["u-1"],
    revoked: { omitted: `${JSON.stringify(sids).length} characters, 400 items` },
  });
});
