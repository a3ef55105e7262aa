import { assert, assertEquals, assertStringIncludes } from "../../testing/assert.ts";
import { getAs, postMessages, startGatewayStack } from "../../testing/gateway_stack.ts";
import { ledgerEntry } from "../../testing/ledger_fixtures.ts";
import { dayOf } from "../ledger/ledger_entry.ts";

const A = "11111111-1111-1111-1111-111111111111"; // the admin tenant (the first of ENTRA_TENANT_ID)
const B = "22222222-2222-4222-8222-222222222222";
const ANN = "00000000-0000-4000-8000-0000000000a1"; // of tenant A
const BOB = "00000000-0000-4000-8000-0000000000b1"; // of tenant B
const BEA = "00000000-0000-4000-8000-0000000000b2"; // of tenant B

/**
 * A gateway allowlisting tenants A and B (A the admin tenant) whose ledger
 * holds what real requests wrote: two of ann (A), one of bob and one of bea
 * (B), each with its token's `tid`; and one of bob rolled up before ccgate
 * recorded tenants (no `tid`). Admins: one of each tenant.
 */
async function twoTenants() {
  const stack = await startGatewayStack({
    env: { CCGATE_ADMIN_ROLE: "usage.admin", ENTRA_TENANT_ID: `${A},${B}` },
  });
  const mint = (sub: string, tid: string, roles = ["ccgate.user"]) =>
    stack.issuer.mint({ claims: { sub, sid: `sess-${sub}`, tid, roles } });
  for (const [sub, tid, n] of [[ANN, A, 2], [BOB, B, 1], [BEA, B, 1]] as const) {
    const token = await mint(sub, tid);
    for (let i = 0; i < n; i++) {
      const res = await postMessages(stack.url, token, { max_tokens: 16 + i });
      assertEquals(res.status, 200);
      await res.body?.cancel();
    }
  }
  const today = dayOf(new Date());
  stack.ledger.append(ledgerEntry({
    requestId: "req_before_tenants",
    day: today,
    at: `${today}T00:00:01.000Z`,
    user: BOB,
    groups: [],
  }));
  await stack.ledger.flush();
  const adminA = await mint("00000000-0000-4000-8000-00000000ad0a", A, ["usage.admin"]);
  const adminB = await mint("00000000-0000-4000-8000-00000000ad0b", B, ["usage.admin"]);
  const get = (token: string, path: string) => getAs(stack, token, path);
  return { stack, adminA, adminB, get, range: `from=${today}&to=${today}` };
}

Deno.test("an admin outside the admin tenants sees their own tenant's usage only: summary, usage rows, entries, as JSON and CSV", async () => {
  const { stack, adminB, get, range } = await twoTenants();
  await using _ = stack;
  const me = (await get(adminB, "/admin/api/me")).body;
  assertEquals([me.tid, me.tenants], [B, "own"]);

  const summary = await get(adminB, `/admin/api/summary?${range}`);
  assertEquals(summary.status, 200);
  assertEquals(
    summary.body.totals.requests,
    2,
    "bob's and bea's; not ann's, nor bob's untenanted one",
  );
  assertEquals(summary.body.topUsers.map((u: { user: string }) => u.user).sort(), [BOB, BEA]);
  assert(summary.body.latencyMs.p50 !== null, "the tenant's own latency histogram");
  assertEquals(summary.body.topModels.length, 1);

  const usage = await get(adminB, `/admin/api/usage?${range}`);
  assertEquals(usage.body.data.map((r: { name: string }) => r.name).sort(), [BOB, BEA]);
  assertEquals(
    usage.body.data.reduce((n: number, r: { requests: number }) => n + r.requests, 0),
    2,
  );
  const usageCsv = (await get(adminB, `/admin/api/usage?${range}&format=csv`)).body as string;
  assertEquals(usageCsv.trimEnd().split("\r\n").length, 1 + 2);
  assert(!usageCsv.includes(ANN));

  const entries = await get(adminB, `/admin/api/entries?${range}`);
  assertEquals(entries.body.data.length, 2);
  assert(
    entries.body.data.every((e: { tid: string; user: string }) => e.tid === B && e.user !== ANN),
  );
  const entriesCsv = (await get(adminB, `/admin/api/entries?${range}&format=csv`)).body as string;
  const lines = entriesCsv.trimEnd().split("\r\n");
  assertStringIncludes(lines[0]!, ",user,sid,tid,");
  assertEquals(lines.length, 1 + 2);
  assert(!entriesCsv.includes(ANN) && !entriesCsv.includes("req_before_tenants"));

  // Their own users, one by one: bob's requests with a tenant only.
  const bob = await get(adminB, `/admin/api/summary?${range}&user=${BOB}`);
  assertEquals(bob.body.totals.requests, 1);
  assertEquals(bob.body.topUsers.map((u: { user: string }) => u.user), [BOB]);
  assert(bob.body.latencyMs.p50 !== null);
  assertEquals((await get(adminB, `/admin/api/entries?${range}&user=${BOB}`)).body.data.length, 1);
  // The entries take a group filter within the tenant; usage and summary refuse it (group
  // roll-ups cover every tenant).
  assertEquals((await get(adminB, `/admin/api/entries?${range}&group=eng`)).body.data.length, 0);
  for (const route of ["usage", "summary"]) {
    const refused = await get(adminB, `/admin/api/${route}?${range}&group=eng`);
    assertEquals([refused.status, refused.body.error.type], [400, "invalid_request_error"], route);
    assertStringIncludes(refused.body.error.message, "covers every tenant");
  }
});

Deno.test("an admin outside the admin tenants asking for another tenant's user gets nothing: empty usage, a 404 policy", async () => {
  const { stack, adminB, get, range } = await twoTenants();
  await using _ = stack;
  const summary = await get(adminB, `/admin/api/summary?${range}&user=${ANN}`);
  assertEquals(summary.status, 200);
  assertEquals([summary.body.totals.requests, summary.body.topUsers], [0, []]);
  assertEquals([summary.body.latencyMs.p50, summary.body.errorTypes], [null, []]);
  assertEquals((await get(adminB, `/admin/api/usage?${range}&user=${ANN}`)).body.data, []);
  assertEquals((await get(adminB, `/admin/api/entries?${range}&user=${ANN}`)).body.data, []);
  const csv = (await get(adminB, `/admin/api/entries?${range}&user=${ANN}&format=csv`))
    .body as string;
  assertEquals(csv.trimEnd().split("\r\n").length, 1, "the header only");

  for (const path of [`/admin/api/policy?user=${ANN}`, "/admin/api/policy?user=nobody"]) {
    const policy = await get(adminB, path);
    assertEquals([policy.status, policy.body.error.type], [404, "not_found_error"], path);
    assertStringIncludes(policy.body.error.message, "no request of theirs in your tenant");
  }
  // Roles and groups, which would skip the ledger for an admin of every tenant, are refused.
  const named = await get(adminB, `/admin/api/policy?user=${ANN}&roles=ccgate.user&groups=eng`);
  assertEquals([named.status, named.body.error.type], [400, "invalid_request_error"]);
  const own = await get(adminB, `/admin/api/policy?user=${BOB}`);
  assertEquals([own.status, own.body.user, own.body.roles], [200, BOB, ["ccgate.user"]]);
});

Deno.test("an admin of an admin tenant sees every tenant's usage, untenanted entries included", async () => {
  const { stack, adminA, get, range } = await twoTenants();
  await using _ = stack;
  assertEquals((await get(adminA, "/admin/api/me")).body.tenants, "all");
  const summary = (await get(adminA, `/admin/api/summary?${range}`)).body;
  assertEquals(summary.totals.requests, 5);
  assertEquals(
    summary.topUsers.map((u: { user: string }) => u.user).sort(),
    [ANN, BOB, BEA].sort(),
  );
  const entries = (await get(adminA, `/admin/api/entries?${range}`)).body.data;
  assertEquals(entries.length, 5);
  assertEquals(
    entries.map((e: { tid?: string }) => e.tid ?? "none").sort(),
    [A, A, B, B, "none"].sort(),
  );
  assertEquals(
    (await get(adminA, `/admin/api/summary?${range}&user=${BOB}`)).body.totals.requests,
    2,
  );
  const policy = await get(adminA, `/admin/api/policy?user=${BOB}`);
  assertEquals(policy.status, 200);
});

Deno.test("GET /admin/api/policy for an admin outside the admin tenants withholds group pool counters, which count every tenant, and refuses roles and groups", async () => {
  await using stack = await startGatewayStack({
    env: { CCGATE_ADMIN_ROLE: "usage.admin", ENTRA_TENANT_ID: `${A},${B}` },
    policyYaml: `models:
  claude-sonnet-4-5-20250929:
    bedrock: us.anthropic.claude-sonnet-4-5-20250929-v1:0
    price: { input: 3, output: 15 }
defaults:
  budgets: { daily_tokens: 1000000 }
groups:
  eng:
    pool:
      budgets: { daily_tokens: 5000000 }
      requests_per_minute: 1000
      concurrent_streams: 50
  secret-proj-A:
    pool:
      budgets: { daily_usd: 10000 }
`,
  });
  const mint = (sub: string, tid: string, groups: string[], roles = ["ccgate.user"]) =>
    stack.issuer.mint({ claims: { sub, sid: `sess-${sub}`, tid, roles, groups } });
  // Ann (tenant A) and Bob (tenant B) share the eng pool; only Ann is in secret-proj-A.
  for (const token of [await mint(ANN, A, ["eng", "secret-proj-A"]), await mint(BOB, B, ["eng"])]) {
    for (let i = 0; i < 2; i++) {
      const res = await postMessages(stack.url, token);
      assertEquals(res.status, 200);
      await res.body?.cancel();
    }
  }
  await stack.ledger.flush();
  const adminA = await mint("00000000-0000-4000-8000-00000000ad0a", A, [], ["usage.admin"]);
  const adminB = await mint("00000000-0000-4000-8000-00000000ad0b", B, [], ["usage.admin"]);
  const get = async (token: string, path: string) => {
    const res = await fetch(`${stack.url}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: res.status, body: await res.json() };
  };
  type Limit = { scope: string; used?: number | null; spent?: number | null };
  const byScope = (limits: Limit[]) => limits.map((l) => [l.scope, l.used ?? l.spent ?? null]);

  const own = await get(adminB, `/admin/api/policy?user=${BOB}`);
  assertEquals(own.status, 200);
  assertEquals([own.body.groups, own.body.group_pool_counters], [["eng"], "withheld"]);
  const bobUsed = own.body.policy.budgets[0].spent;
  assert(bobUsed > 0, "Bob's own budget keeps its counter");
  assertEquals(byScope(own.body.policy.budgets), [[`user:${BOB}`, bobUsed], ["group:eng", null]]);
  assertEquals(own.body.policy.budgets[1].reserved, null);
  assertEquals(own.body.policy.budgets[1].limit, 5_000_000, "the pool's limit still shows");
  assertEquals(byScope(own.body.policy.requests_per_minute), [["group:eng", null]]);
  assertEquals(own.body.policy.concurrent_streams.map((c: { in_flight: unknown }) => c.in_flight), [
    null,
  ]);
  for (
    const query of ["roles=ccgate.user&groups=secret-proj-A", "groups=secret-proj-A", "roles="]
  ) {
    const named = await get(adminB, `/admin/api/policy?user=${BOB}&${query}`);
    assertEquals([named.status, named.body.error.type], [400, "invalid_request_error"], query);
    assertStringIncludes(named.body.error.message, "counts every tenant's members");
    assert(!JSON.stringify(named.body).includes("10000"));
  }

  // An admin of the admin tenant sees the pools' counters: both tenants' requests.
  const all = await get(adminA, `/admin/api/policy?user=${BOB}`);
  assertEquals(all.body.group_pool_counters, "shown");
  assertEquals(byScope(all.body.policy.budgets), [
    [`user:${BOB}`, bobUsed],
    ["group:eng", 2 * bobUsed],
  ]);
  assertEquals(byScope(all.body.policy.requests_per_minute), [["group:eng", 4]]);
  const secret = await get(adminA, `/admin/api/policy?user=${BOB}&roles=&groups=secret-proj-A`);
  assertEquals(secret.status, 200);
  assert(secret.body.policy.budgets[1].spent > 0, "Ann's spend in the secret-proj-A pool");
});
