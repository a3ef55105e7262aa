import { assert, assertEquals } from "../../testing/assert.ts";
import { getAs, postMessages, startGatewayStack } from "../../testing/gateway_stack.ts";
import { dayOf } from "../ledger/ledger_entry.ts";

const A = "11111111-1111-1111-1111-111111111111"; // the admin tenant (the first of ENTRA_TENANT_ID)
const B = "22222222-2222-4222-8222-222222222222";
const ANN = "00000000-0000-4000-8000-0000000000a1"; // of tenant A
const BOB = "00000000-0000-4000-8000-0000000000b1"; // of tenant B

/** A real `Deno.Kv` whose `list` and `getMany` calls are recorded: what the gateway reads. */
function recordingKv(kv: Deno.Kv): { kv: Deno.Kv; listed: Deno.KvKey[]; fetched: Deno.KvKey[] } {
  const listed: Deno.KvKey[] = [];
  const fetched: Deno.KvKey[] = [];
  const proxy = new Proxy(kv, {
    get(target, prop) {
      if (prop === "list") {
        return (selector: Deno.KvListSelector, options?: Deno.KvListOptions) => {
          listed.push("prefix" in selector ? selector.prefix : selector.start);
          return target.list(selector, options);
        };
      }
      if (prop === "getMany") {
        return (keys: Deno.KvKey[], options?: { consistency?: Deno.KvConsistencyLevel }) => {
          fetched.push(...keys);
          return target.getMany(keys, options);
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { kv: proxy, listed, fetched };
}

/**
 * A gateway allowlisting tenants A and B (A the admin tenant) whose ledger
 * holds real requests of ann (A) and bob (B) taking turns, 4 each, bob
 * first; and an admin of each tenant. The caller closes `memory` (the KV)
 * after the stack.
 */
async function interleaved() {
  const memory = await Deno.openKv(":memory:");
  const recorded = recordingKv(memory);
  const stack = await startGatewayStack({
    kv: recorded.kv,
    env: { CCGATE_ADMIN_ROLE: "usage.admin", ENTRA_TENANT_ID: `${A},${B}` },
  });
  const mint = (sub: string, tid: string, roles = ["ccgate.user"]) =>
    stack.issuer.mint({ claims: { sub, sid: `sess-${sub}`, tid, roles } });
  const bob = await mint(BOB, B);
  const ann = await mint(ANN, A);
  for (let i = 0; i < 8; i++) {
    const res = await postMessages(stack.url, i % 2 === 0 ? bob : ann, { max_tokens: 16 });
    assertEquals(res.status, 200);
    await res.body?.cancel();
  }
  await stack.ledger.flush();
  const adminA = await mint("00000000-0000-4000-8000-00000000ad0a", A, ["usage.admin"]);
  const adminB = await mint("00000000-0000-4000-8000-00000000ad0b", B, ["usage.admin"]);
  const get = (token: string, path: string) => getAs(stack, token, path);
  const today = dayOf(new Date());
  const all = (await get(adminA, `/admin/api/entries?from=${today}&to=${today}`)).body.data as {
    requestId: string;
    tid: string;
  }[];
  assertEquals(all.length, 8);
  const ids = (tid: string) => new Set(all.filter((e) => e.tid === tid).map((e) => e.requestId));
  return {
    stack,
    adminA,
    adminB,
    get,
    recorded,
    range: `from=${today}&to=${today}`,
    ofA: ids(A),
    ofB: ids(B),
    memory,
  };
}

Deno.test("GET /admin/api/entries: a tenant admin's `next` names their own tenant's entries only, page after page", async () => {
  const { stack, adminB, get, range, ofA, ofB, memory } = await interleaved();
  using _kv = memory;
  await using _ = stack;
  const seen: string[] = [];
  let after = "";
  for (let pages = 0; pages < 10; pages++) {
    const page = await get(adminB, `/admin/api/entries?${range}&limit=1${after}`);
    assertEquals(page.status, 200);
    seen.push(...page.body.data.map((e: { requestId: string }) => e.requestId));
    if (page.body.next === undefined) break;
    const [, requestId] = (page.body.next as string).split(/:(.*)/s);
    assert(!ofA.has(requestId!), `next names tenant A's request ${requestId}`);
    assert(ofB.has(requestId!), `next ${requestId} is one of tenant B's`);
    after = `&after=${encodeURIComponent(page.body.next)}`;
  }
  assertEquals(seen, [...ofB].sort());
});

Deno.test("GET /admin/api/entries: a tenant admin's listing and CSV export read their tenant's index, no other tenant's entry", async () => {
  const { stack, adminA, adminB, get, range, recorded, ofA, ofB, memory } = await interleaved();
  using _kv = memory;
  await using _ = stack;
  const entryReads = () => [
    ...recorded.listed.filter((k) => k[0] === "ledger" && k[1] === "entry"),
    ...recorded.fetched.filter((k) => k[0] === "ledger" && k[1] === "entry"),
  ];
  for (const format of ["json", "csv"]) {
    recorded.listed.length = 0;
    recorded.fetched.length = 0;
    const res = await get(adminB, `/admin/api/entries?${range}&format=${format}&limit=2`);
    assertEquals(res.status, 200);
    const read = entryReads();
    assert(
      !read.some((k) => k.length === 2 || k.length === 3),
      `a scan of every entry: ${JSON.stringify(read)}`,
    );
    assert(!read.some((k) => ofA.has(k[3] as string)), "no entry of tenant A read");
    assert(read.every((k) => ofB.has(k[3] as string)));
    assert(
      recorded.listed.some((k) => k[1] === "by_tenant" && k[2] === B.toLowerCase()),
      "tenant B's index",
    );
  }
  const csv = (await get(adminB, `/admin/api/entries?${range}&format=csv&limit=1`)).body as string;
  assertEquals(csv.trimEnd().split("\r\n").length, 1 + ofB.size);
  // An admin of the admin tenant still lists every entry.
  assertEquals((await get(adminA, `/admin/api/entries?${range}`)).body.data.length, 8);
});

Deno.test("ranges ending 9999-12-31 answer 200 with nothing (entries, usage, summary, audit), never a 500 or a cut CSV", async () => {
  const { stack, adminA, adminB, get, memory } = await interleaved();
  using _kv = memory;
  await using _ = stack;
  for (const range of ["from=9999-12-31&to=9999-12-31", "from=9999-06-01&to=9999-12-31"]) {
    for (const [name, admin] of [["A", adminA], ["B", adminB]] as const) {
      for (const filter of ["", `&user=${BOB}`, "&group=eng"]) {
        const path = `/admin/api/entries?${range}${filter}`;
        const page = await get(admin, path);
        assertEquals(
          [page.status, page.body.data, page.body.truncated],
          [200, [], false],
          `${name} ${path}`,
        );
        const csv = await fetch(`${stack.url}${path}&format=csv`, {
          headers: { authorization: `Bearer ${admin}` },
        });
        assertEquals(csv.status, 200);
        const text = await csv.text(); // a cut transfer would throw here
        assertEquals(text.trimEnd().split("\r\n").length, 1, "the header only");
      }
      for (const route of ["usage", "summary"]) {
        const res = await get(admin, `/admin/api/${route}?${range}`);
        assertEquals(res.status, 200, `${name} ${route}`);
      }
    }
    const audit = await get(adminA, `/admin/audit?${range}`);
    assertEquals(audit.status, 200);
  }
  assertEquals(stack.logs.filter((r) => r.level === "error"), []);
});
