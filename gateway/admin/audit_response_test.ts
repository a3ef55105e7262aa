import { assert, assertEquals, assertStringIncludes } from "../../testing/assert.ts";
import { startGatewayStack } from "../../testing/gateway_stack.ts";
import type { AuditRecord } from "./audit_log.ts";

const ADMIN = "00000000-0000-0000-0000-0000000ad111";

/** A gateway whose clock the test moves; an admin token and a plain user's. */
async function auditStack() {
  let t = Date.parse("2026-11-30T00:00:00.000Z");
  const clock = { now: () => new Date(t), set: (iso: string) => void (t = Date.parse(iso)) };
  const stack = await startGatewayStack({
    env: { CCGATE_ADMIN_ROLE: "usage.admin" },
    now: clock.now,
  });
  // Tokens are checked against the gateway's clock: mint them for its (fixed) day.
  const mint = (sub: string, roles: string[]) =>
    stack.issuer.mint({
      claims: { sub, sid: `sess-${sub}`, roles, iat: t / 1000, exp: t / 1000 + 86_400 * 2 },
    });
  const admin = await mint(ADMIN, ["usage.admin"]);
  const get = async (path: string, token = admin) => {
    const response = await fetch(`${stack.url}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return response;
  };
  const json = async (path: string, token = admin) => {
    const response = await get(path, token);
    assertEquals(response.status, 200, path);
    return await response.json();
  };
  return { stack, clock, mint, admin, get, json };
}

/** `n` denied calls of `token`, 50 at a time. */
async function flood(url: string, token: string, n: number): Promise<void> {
  for (let i = 0; i < n; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, n - i) }, async (_, j) => {
      const response = await fetch(`${url}/admin/api/usage?n=${i + j}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assertEquals(response.status, 403);
      await response.body?.cancel();
    }));
  }
}

Deno.test("GET /admin/audit keeps an admin action on page one after a flood of denied calls", async () => {
  const { stack, clock, mint, json } = await auditStack();
  await using _ = stack;
  const mallory = await mint("mallory", ["ccgate.user"]);
  clock.set("2026-11-30T00:00:00.000Z");
  await flood(stack.url, mallory, 600);
  clock.set("2026-11-30T09:00:00.000Z");
  await json("/admin/api/usage?from=2026-11-01&to=2026-11-01");
  clock.set("2026-11-30T09:00:30.000Z");
  await flood(stack.url, mallory, 600);
  clock.set("2026-11-30T09:01:00.000Z");
  await flood(stack.url, mallory, 1);

  const first = await json("/admin/audit?from=2026-11-30&to=2026-11-30&limit=10");
  const records = first.data as AuditRecord[];
  assert(records.length <= 10, "one page of at most `limit`");
  assert(
    records.some((r) => r.decision === "allowed" && r.action === "GET /admin/api/usage"),
    "the admin's call is on the first page",
  );
  // 1,201 denied calls in three minutes: three records, their counts add up.
  const denied = await json("/admin/audit?from=2026-11-30&to=2026-11-30&decision=denied");
  assertEquals(
    (denied.data as AuditRecord[]).map((r) => [r.actor, r.at.slice(11, 16), r.count]),
    [["mallory", "09:01", 1], ["mallory", "09:00", 600], ["mallory", "00:00", 600]],
  );
  assertEquals(denied.truncated, false);
  const allowed = await json("/admin/audit?from=2026-11-30&to=2026-11-30&decision=allowed");
  assertEquals(
    (allowed.data as AuditRecord[]).map((r) => [r.action, r.actor, r.count]),
    [
      ["GET /admin/audit", ADMIN, 1],
      ["GET /admin/audit", ADMIN, 1],
      ["GET /admin/api/usage", ADMIN, 1],
    ],
  );
  const byActor = await json(`/admin/audit?from=2026-11-30&to=2026-11-30&actor=mallory`);
  assertEquals(byActor.data.length, 3);
});

Deno.test("GET /admin/audit pages with limit and after: every record exactly once", async () => {
  const { stack, clock, mint, json } = await auditStack();
  await using _ = stack;
  const users = await Promise.all(["u1", "u2", "u3"].map((u) => mint(u, ["ccgate.user"])));
  for (let i = 0; i < 15; i++) {
    clock.set(`2026-11-30T10:${String(i).padStart(2, "0")}:00.000Z`);
    await json(`/admin/api/me?i=${i}`);
    await flood(stack.url, users[i % 3]!, 1);
  }
  clock.set("2026-11-30T11:00:00.000Z");
  const seen: string[] = [];
  let after: string | undefined;
  let pages = 0;
  do {
    const query = `from=2026-11-30&to=2026-11-30&limit=4${after ? `&after=${after}` : ""}`;
    const page = await json(`/admin/audit?${query}`);
    assert(page.data.length <= 4);
    assertEquals(page.truncated, page.next !== undefined);
    seen.push(...(page.data as AuditRecord[]).map((r) => `${r.requestId} ${r.decision}`));
    after = page.next;
    pages++;
  } while (after !== undefined);
  // 15 admin calls and 15 denied calls written before paging began (the paging calls come
  // later, at 11:00, and are newer than any cursor: never part of this walk).
  assertEquals(seen.length, 30);
  assertEquals(new Set(seen).size, 30);
  assertEquals(pages, 8);
  assertEquals(seen.filter((s) => s.endsWith("denied")).length, 15);
});

Deno.test("GET /admin/audit as CSV has a details column and neutralises formula cells", async () => {
  const { stack, mint, get } = await auditStack();
  await using _ = stack;
  const evil = await mint('=HYPERLINK("http://x")', ["ccgate.user"]);
  const denied = await get("/admin/api/usage?user=-2%2B3", evil);
  assertEquals(denied.status, 403);
  await denied.body?.cancel();
  (await get("/admin/api/usage?from=2026-11-01&to=2026-11-01&group=eng")).body?.cancel();
  const response = await get("/admin/audit?from=2026-11-30&to=2026-11-30&format=csv");
  assertEquals(response.headers.get("content-type"), "text/csv; charset=utf-8");
  const lines = (await response.text()).trimEnd().split("\r\n");
  assertEquals(lines[0], "at,requestId,actor,sid,action,decision,status,count,details");
  const allowed = lines.find((l) => l.includes(",allowed,"))!;
  assertStringIncludes(
    allowed,
    `,1,"{""from"":[""2026-11-01""],""to"":[""2026-11-01""],""group"":[""eng""]}"`,
  );
  const deniedLine = lines.find((l) => l.includes(",denied,"))!;
  assertStringIncludes(deniedLine, `,"'=HYPERLINK(""http://x"")",`);
  assertStringIncludes(deniedLine, `"{""user"":[""-2+3""]}"`);
});

Deno.test("GET /admin/audit answers 400 for a bad limit, cursor, decision or actor", async () => {
  const { stack, get } = await auditStack();
  await using _ = stack;
  const cases: [string, string][] = [
    ["limit=0", "limit: an integer from 1 to 10000"],
    ["limit=10001", "limit: an integer from 1 to 10000"],
    ["limit=abc", "limit: an integer from 1 to 10000"],
    ["after=not-a-cursor!", '"after" must be the "next" value'],
    ["decision=maybe", 'decision: "allowed" or "denied"'],
    [`actor=${"a".repeat(257)}`, "actor: at most 256 characters"],
    ["from=2026-12-01&to=2026-11-01", "Invalid day range"],
  ];
  for (const [query, message] of cases) {
    const response = await get(`/admin/audit?${query}`);
    assertEquals(response.status, 400, query);
    const body = await response.json();
    assertEquals(body.error.type, "invalid_request_error", query);
    assertStringIncludes(body.error.message, message, query);
  }
});
