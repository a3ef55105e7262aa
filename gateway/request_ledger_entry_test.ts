import { assertEquals } from "../testing/assert.ts";
import { entryUsage, MAX_ENTRY_GROUPS, MAX_ENTRY_TEXT } from "./ledger/ledger_entry.ts";
import {
  type LedgerRequest,
  type LedgerRequestEnd,
  requestLedgerEntry,
} from "./request_ledger_entry.ts";

const request: LedgerRequest = {
  requestId: "req_01",
  at: new Date("2026-11-30T23:59:58.500Z"),
  claims: { sub: "user-1", sid: "sid-1", groups: ["g1", "g2"], roles: ["Ccgate.User"] },
  route: "messages",
  fields: {
    model: "claude-opus-4-8",
    bedrockModel: "us.anthropic.claude-opus-4-8",
    region: "us-east-1",
    stream: true,
  },
  firstByteMs: 120.4,
};

const end: LedgerRequestEnd = {
  status: 200,
  outcome: "completed",
  errorType: null,
  costUsd: 0.0123,
  totalMs: 900.6,
  usage: {
    inputTokens: 10,
    outputTokens: 20,
    cacheReadInputTokens: 30,
    cacheCreationInputTokens: 40,
  },
};

Deno.test("requestLedgerEntry() writes the request, its usage and its end, times rounded to ms", () => {
  const entry = requestLedgerEntry(request, end);
  // Compared as JSON: the entry's fields and their order are what KV stores.
  assertEquals(
    JSON.stringify(entry),
    JSON.stringify({
      requestId: "req_01",
      at: "2026-11-30T23:59:58.500Z",
      day: "2026-11-30",
      user: "user-1",
      sid: "sid-1",
      groups: ["g1", "g2"],
      roles: ["Ccgate.User"],
      route: "messages",
      model: "claude-opus-4-8",
      bedrockModel: "us.anthropic.claude-opus-4-8",
      region: "us-east-1",
      stream: true,
      inputTokens: 10,
      outputTokens: 20,
      cacheReadTokens: 30,
      cacheWriteTokens: 40,
      costUsd: 0.0123,
      firstByteMs: 120,
      totalMs: 901,
      status: 200,
      outcome: "completed",
      errorType: null,
    }),
  );
});

Deno.test("requestLedgerEntry() adds estimated and serviceTier only when the request has them", () => {
  const plain = requestLedgerEntry(request, end);
  assertEquals("estimated" in plain, false);
  assertEquals("serviceTier" in plain, false);
  const fields = { ...request.fields, estimated: true, serviceTier: "priority" };
  const marked = requestLedgerEntry({ ...request, fields }, end);
  assertEquals(marked.estimated, true);
  assertEquals(marked.serviceTier, "priority");
  const notEstimated = requestLedgerEntry(
    { ...request, fields: { ...fields, estimated: false } },
    end,
  );
  assertEquals("estimated" in notEstimated, false);
});

Deno.test("requestLedgerEntry() records the 1-hour cache writes beside the cache writes, only when there are some", () => {
  assertEquals("cacheWrite1hTokens" in requestLedgerEntry(request, end), false);
  const usage = { ...end.usage, cacheCreation1hInputTokens: 25 };
  const entry = requestLedgerEntry(request, { ...end, usage });
  const keys = Object.keys(entry);
  assertEquals(keys.slice(keys.indexOf("cacheWriteTokens"), keys.indexOf("cacheWriteTokens") + 3), [
    "cacheWriteTokens",
    "cacheWrite1hTokens",
    "costUsd",
  ]);
  assertEquals([entry.cacheWriteTokens, entry.cacheWrite1hTokens], [40, 25]);
  // What the ledger's sweep charges again: the same split.
  assertEquals(entryUsage(entry), usage);
  // An entry written before ccgate recorded the split reads as 5-minute writes only.
  const { cacheWrite1hTokens: _, ...older } = entry;
  assertEquals(entryUsage(older), end.usage);
});

Deno.test("requestLedgerEntry() cuts the claims' texts and lists to the entry's bounds", () => {
  const long = "x".repeat(MAX_ENTRY_TEXT + 5);
  const many = Array.from({ length: MAX_ENTRY_GROUPS + 3 }, (_, i) => `${long}${i}`);
  const entry = requestLedgerEntry(
    { ...request, claims: { sub: long, sid: long, groups: many, roles: many } },
    end,
  );
  assertEquals(entry.user, "x".repeat(MAX_ENTRY_TEXT));
  assertEquals(entry.sid, "x".repeat(MAX_ENTRY_TEXT));
  assertEquals(entry.groups.length, MAX_ENTRY_GROUPS);
  assertEquals(entry.roles.length, MAX_ENTRY_GROUPS);
  assertEquals(entry.groups.every((g) => g === "x".repeat(MAX_ENTRY_TEXT)), true);
});

Deno.test("requestLedgerEntry() of a request with no first byte and no price keeps them null", () => {
  const entry = requestLedgerEntry(
    { ...request, firstByteMs: null },
    { ...end, status: 0, outcome: "interrupted", costUsd: null },
  );
  assertEquals(entry.firstByteMs, null);
  assertEquals(entry.costUsd, null);
  assertEquals(entry.status, 0);
  assertEquals(entry.outcome, "interrupted");
});

Deno.test("requestLedgerEntry() records the token's tenant when it has one, cut like its other texts", () => {
  assertEquals("tid" in requestLedgerEntry(request, end), false);
  const tid = "22222222-2222-4222-8222-222222222222";
  const entry = requestLedgerEntry({ ...request, claims: { ...request.claims, tid } }, end);
  assertEquals(entry.tid, tid);
  const long = "t".repeat(MAX_ENTRY_TEXT + 5);
  const cut = requestLedgerEntry({ ...request, claims: { ...request.claims, tid: long } }, end);
  assertEquals(cut.tid, "t".repeat(MAX_ENTRY_TEXT));
});
