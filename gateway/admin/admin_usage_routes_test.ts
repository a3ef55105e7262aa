import { assert, assertEquals, assertStringIncludes } from "../../testing/assert.ts";
import { startGatewayStack } from "../../testing/gateway_stack.ts";
import { ledgerEntry } from "../../testing/ledger_fixtures.ts";

const SONNET = ledgerEntry().bedrockModel!; // What "claude-sonnet-4-5-20250929" resolves to.

/** A gateway whose ledger holds 45 entries over 3 days (ann, bob; eng, sales; two models). */
async function stackWith45() {
  const stack = await startGatewayStack({ env: { CCGATE_ADMIN_ROLE: "usage.admin" } });
  for (let i = 0; i < 45; i++) {
    const day = `2026-11-0${1 + (i % 3)}`;
    stack.ledger.append(ledgerEntry({
      requestId: `req_${String(i).padStart(24, "0")}`,
      day,
      at: `${day}T10:00:00.000Z`,
      user: i % 2 === 0 ? "ann" : "bob",
      groups: i % 2 === 0 ? ["eng"] : ["sales"],
      bedrockModel: i % 5 === 0 ? "us.anthropic.claude-haiku-4-5" : SONNET,
      outcome: i % 9 === 0 ? "upstream_error" : "completed",
      errorType: i % 9 === 0 ? "ThrottlingException" : null,
    }));
  }
  await stack.ledger.flush();
  const admin = await stack.issuer.mint({
    claims: { sub: "admin-1", sid: "sess-admin", roles: ["usage.admin"] },
  });
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${stack.url}${path}`, { headers: { authorization: `Bearer ${admin}`, ...headers } });
  return { stack, admin, get };
}

Deno.test("GET /admin/api/entries pages with limit and after, `next` and `truncated` saying more exist", async () => {
  const { stack, get } = await stackWith45();
  await using _ = stack;
  const range = "from=2026-11-01&to=2026-11-03";
  const ids: string[] = [];
  let after = "";
  let pages = 0;
  for (;;) {
    const res = await get(`/admin/api/entries?${range}&limit=10${after}`);
    assertEquals(res.status, 200);
    const page = await res.json();
    ids.push(...page.data.map((e: { requestId: string }) => e.requestId));
    pages++;
    assertEquals(page.truncated, page.next !== undefined);
    if (!page.truncated) break;
    after = `&after=${encodeURIComponent(page.next)}`;
  }
  assertEquals(pages, 5);
  assertEquals(ids.length, 45);
  assertEquals(new Set(ids).size, 45, "no entry twice");
  const bob = await (await get(`/admin/api/entries?${range}&user=bob&limit=100`)).json();
  assertEquals(bob.data.length, 22);
  assertEquals(bob.truncated, false);
  assert(bob.data.every((e: { user: string }) => e.user === "bob"));
  const firstPage = await (await get(`/admin/api/entries?${range}`)).json();
  assertEquals(firstPage.data.length, 45, "the default page (1,000) holds them all");

  for (const bad of ["limit=0", "limit=10001", "limit=ten", "after=nope"]) {
    const res = await get(`/admin/api/entries?${range}&${bad}`);
    assertEquals(res.status, 400, bad);
    assertEquals((await res.json()).error.type, "invalid_request_error");
  }
});

Deno.test("GET /admin/api/entries as CSV streams every entry of the range, page after page", async () => {
  const { stack, get } = await stackWith45();
  await using _ = stack;
  const res = await get("/admin/api/entries?from=2026-11-01&to=2026-11-03&limit=7&format=csv");
  assertEquals(res.status, 200);
  assertEquals(res.headers.get("content-type"), "text/csv; charset=utf-8");
  const lines = (await res.text()).trimEnd().split("\r\n");
  assert(lines[0]!.startsWith("requestId,at,day,user,"));
  assertEquals(lines.length, 1 + 45, "the header once, then all 45 entries (7 per page)");
  assertEquals(new Set(lines.slice(1).map((l) => l.split(",")[0])).size, 45);
});

Deno.test("GET /admin/api/usage and /summary refuse user with group (400), and the model filter takes a catalogue name", async () => {
  const { stack, get } = await stackWith45();
  await using _ = stack;
  const range = "from=2026-11-01&to=2026-11-03";
  for (const route of ["usage", "summary"]) {
    const res = await get(`/admin/api/${route}?${range}&user=ann&group=eng`);
    assertEquals(res.status, 400, route);
    const body = await res.json();
    assertEquals(body.error.type, "invalid_request_error");
    assertStringIncludes(body.error.message, "user, group");
  }
  const sonnet = 45 - 9; // every fifth entry is Haiku
  for (const model of [SONNET, "claude-sonnet-4-5-20250929"]) {
    const q = `${range}&model=${encodeURIComponent(model)}`;
    const summary = await (await get(`/admin/api/summary?${q}`)).json();
    assertEquals(summary.totals.requests, sonnet, model);
    const usage = await (await get(`/admin/api/usage?${q}`)).json();
    assertEquals(
      usage.data.reduce((n: number, r: { requests: number }) => n + r.requests, 0),
      sonnet,
    );
    const entries = await (await get(`/admin/api/entries?${q}`)).json();
    assertEquals(entries.data.length, sonnet);
  }
  const unknown = await (await get(`/admin/api/summary?${range}&model=no-such-model`)).json();
  assertEquals(unknown.totals.requests, 0);
});

Deno.test("GET /admin/api/summary answers from the rollups: nothing truncated, percentiles marked as bucketed", async () => {
  const { stack, get } = await stackWith45();
  await using _ = stack;
  const s = await (await get("/admin/api/summary?from=2026-11-01&to=2026-11-03")).json();
  assertEquals(s.truncated, false);
  assertEquals(s.totals.requests, 45);
  assertEquals(s.errorTypes, [{ type: "ThrottlingException", count: 5 }]);
  assertEquals(s.percentiles.method, "log_histogram");
  assert(Math.abs(s.latencyMs.p50 - ledgerEntry().totalMs) <= ledgerEntry().totalMs * 0.09);
  const eng = await (await get("/admin/api/summary?from=2026-11-01&to=2026-11-03&group=eng"))
    .json();
  assertEquals(eng.totals.requests, 23);
  assertEquals(eng.topUsers.map((u: { user: string }) => u.user), ["ann"]);
});

Deno.test("GET /admin/api/entries as CSV of a filter nothing matches ends after its header", async () => {
  const { stack, admin } = await stackWith45();
  await using _ = stack;
  // A last page without an entry used to leave the stream waiting for ever.
  const res = await fetch(
    `${stack.url}/admin/api/entries?from=2026-11-01&to=2026-11-03&user=nobody&format=csv`,
    { headers: { authorization: `Bearer ${admin}` }, signal: AbortSignal.timeout(5_000) },
  );
  assertEquals(res.status, 200);
  assertEquals((await res.text()).trimEnd().split("\r\n").length, 1);
});

Deno.test("GET /admin/api/usage pages whole days with limit and after, and streams every day as CSV", async () => {
  const { stack, get } = await stackWith45();
  await using _ = stack;
  const range = "from=2026-11-01&to=2026-11-03";
  const whole = await (await get(`/admin/api/usage?${range}`)).json();
  assertEquals([whole.truncated, whole.next], [false, undefined]);
  const days = (rows: { day: string }[]) => [...new Set(rows.map((r) => r.day))];
  assertEquals(days(whole.data), ["2026-11-01", "2026-11-02", "2026-11-03"]);
  // A page ends after the day that reaches `limit` rows: here each day is its own page.
  const rows: { day: string; name: string; model: string }[] = [];
  const pages: string[][] = [];
  let after = "";
  for (;;) {
    const res = await get(`/admin/api/usage?${range}&limit=1${after}`);
    assertEquals(res.status, 200);
    const page = await res.json();
    assertEquals(page.truncated, page.next !== undefined);
    rows.push(...page.data);
    pages.push(days(page.data));
    if (!page.truncated) break;
    after = `&after=${page.next}`;
  }
  assertEquals(pages, [["2026-11-01"], ["2026-11-02"], ["2026-11-03"]]);
  assertEquals(rows, whole.data);
  const two = await (await get(`/admin/api/usage?${range}&limit=${whole.data.length - 1}`)).json();
  assertEquals([days(two.data), two.next], [["2026-11-01", "2026-11-02", "2026-11-03"], undefined]);

  const csv = await get(`/admin/api/usage?${range}&format=csv&after=2026-11-02`);
  const lines = (await csv.text()).trimEnd().split("\r\n");
  assert(lines[0]!.startsWith("day,dimension,name,model,"));
  const later = whole.data.filter((r: { day: string }) => r.day !== "2026-11-01");
  assertEquals(lines.length, 1 + later.length, "the header once, then the rows of days 2 and 3");

  for (const bad of ["limit=0", "limit=100001", "limit=ten", "after=2026-10-31", "after=nope"]) {
    const res = await get(`/admin/api/usage?${range}&${bad}`);
    assertEquals(res.status, 400, bad);
    assertEquals((await res.json()).error.type, "invalid_request_error");
  }
});
