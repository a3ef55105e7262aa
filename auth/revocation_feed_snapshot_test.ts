import { assert, assertEquals } from "../testing/assert.ts";
import { countingKv } from "../testing/counting_kv.ts";
import { startAuthFixture, type TestClock, testClock } from "./_testing.ts";
import { createApp } from "./app.ts";
import { loadAuthConfig } from "./config.ts";
import {
  addRevocation,
  formatRevocationCursor,
  listRevocations,
  readRevocationPage,
  type Revocation,
} from "./revocation_feed.ts";
import { RevocationFeedSnapshot } from "./revocation_feed_snapshot.ts";
import { openSigningKeys } from "./signing_keys.ts";

/** The auth app on `kv`, as `createApp` builds it for production (no Entra call is made here). */
async function authApp(kv: Deno.Kv, clock: TestClock) {
  const config = loadAuthConfig({
    ENTRA_TENANT_ID: "11111111-1111-4111-8111-111111111111",
    ENTRA_CLIENT_ID: "22222222-2222-4222-8222-222222222222",
    ENTRA_ALLOWED_CLIENT_IDS: "33333333-3333-4333-8333-333333333333",
    CCGATE_ISSUER: "http://ccgate.test",
  });
  const keys = await openSigningKeys(kv, { now: clock.now });
  const logs: Record<string, unknown>[] = [];
  const app = createApp({
    kv,
    keys,
    config,
    now: clock.now,
    fetch: () => Promise.reject(new Error("no network in this test")),
    log: (record) => logs.push(record as Record<string, unknown>),
  });
  return { app, logs };
}

/** Writes revocations as another instance sharing the KV does. */
async function write(kv: Deno.Kv, revocations: Revocation[], now: number): Promise<void> {
  for (let i = 0; i < revocations.length; i += 400) {
    const op = kv.atomic();
    for (const r of revocations.slice(i, i + 400)) addRevocation(op, r, now);
    assert((await op.commit()).ok);
  }
}

function fillers(n: number, now: number): Revocation[] {
  return Array.from({ length: n }, (_, j) => ({
    sid: `filler-${j}`,
    revokedAt: now - 86_400_000 + j,
    expiresAt: now + 86_400_000,
  }));
}

Deno.test("GET /oauth/revocations reads KV once however many requests come within a second", async () => {
  using raw = await Deno.openKv(":memory:");
  const clock = testClock();
  const { kv, reads } = countingKv(raw);
  const { app } = await authApp(kv, clock);
  await write(raw, fillers(2_500, clock.now().getTime()), clock.now().getTime());
  const ask = async (query: string) => {
    const response = await app.request(`/oauth/revocations?${query}`);
    assertEquals(response.status, 200);
    return await response.json();
  };
  const first = await ask("since=0");
  assertEquals(first.revocations.length, 2_500);
  const afterOne = { ...reads };
  for (let i = 0; i < 30; i++) {
    const body = await ask(i % 2 === 0 ? "since=0" : `since=0&limit=7&after=${i}:x`);
    assert(body.revocations.length > 0);
  }
  // 31 requests cost what the first did: one read of the feed.
  assertEquals(reads, afterOne);
  assertEquals(afterOne.listed, 2_500);

  // A second later the next request refreshes: what was revoked since the last refresh began
  // (less the lookback), not the whole feed again.
  clock.advance(1_000);
  await ask("since=0");
  for (let i = 0; i < 30; i++) await ask("since=0");
  assertEquals(reads.listed, afterOne.listed);
  assertEquals(reads.lists, afterOne.lists + 1);
});

Deno.test("GET /oauth/revocations answers 503 while KV cannot be read, trying KV once a second", async () => {
  const raw = await Deno.openKv(":memory:");
  const clock = testClock();
  const { kv, reads } = countingKv(raw);
  const { app, logs } = await authApp(kv, clock);
  raw.close();
  for (let i = 0; i < 20; i++) {
    const response = await app.request("/oauth/revocations?since=0");
    assertEquals(response.status, 503);
    assertEquals(response.headers.get("retry-after"), "1");
    assertEquals((await response.json()).error, "temporarily_unavailable");
  }
  assertEquals(reads.lists, 1);
  assertEquals(logs.filter((l) => l.level === "error"), []);
  clock.advance(1_000);
  assertEquals((await app.request("/oauth/revocations?since=0")).status, 503);
  assertEquals(reads.lists, 2);
});

Deno.test("GET /oauth/revocations lists a revocation made on this instance at once", async () => {
  await using f = await startAuthFixture();
  const sids: string[] = [];
  const feed = async () =>
    (await (await f.app.request("/oauth/revocations?since=0")).json()).revocations.map(
      (r: { sid: string }) => r.sid,
    );
  assertEquals(await feed(), []);
  for (let i = 0; i < 2; i++) {
    const { access_token } = await f.signIn();
    sids.push((await f.verify(access_token)).sid);
    assertEquals((await f.post("/oauth/revoke", { token: access_token })).status, 200);
    // No time passed: the snapshot is not due for a refresh, the revocation is in it anyway.
    assertEquals((await feed()).sort(), [...sids].sort());
  }
});

Deno.test("GET /oauth/revocations lists another instance's revocation within a second, even one stamped by a clock behind", async () => {
  using kv = await Deno.openKv(":memory:");
  const clock = testClock();
  const { app } = await authApp(kv, clock);
  const feed = async () =>
    (await (await app.request("/oauth/revocations?since=0")).json()).revocations.map(
      (r: { sid: string }) => r.sid,
    );
  assertEquals(await feed(), []);
  const now = clock.now().getTime();
  await write(kv, [
    { sid: "elsewhere", revokedAt: now, expiresAt: now + 3_600_000 },
    { sid: "skewed", revokedAt: now - 60_000, expiresAt: now + 3_600_000 },
  ], now);
  clock.advance(1_000);
  assertEquals(await feed(), ["skewed", "elsewhere"]);
});

Deno.test("RevocationFeedSnapshot.page() answers the pages readRevocationPage() reads from KV", async () => {
  using kv = await Deno.openKv(":memory:");
  const clock = testClock();
  const now = clock.now().getTime();
  const at = (s: number) => now - 100_000 + s;
  // Same instants, ids that UTF-16 and UTF-8 order differently, one session revoked twice.
  const groups = [
    ["a", "\u{1F600}", "\uE000", "\uFFFD", "A", "a\u0000", "\u{10000}"],
    ["b", "z", "~", "\uE001", "\u{1F601}"],
    ["c"],
  ];
  const written: Revocation[] = [];
  for (const [i, sids] of groups.entries()) {
    for (const sid of sids) written.push({ sid, revokedAt: at(i), expiresAt: now + 3_600_000 });
  }
  written.push({ sid: "a", revokedAt: at(5), expiresAt: now + 3_600_000 });
  written.push({ sid: "gone", revokedAt: at(1), expiresAt: now + 10_000 });
  await write(kv, written, now);
  const snapshot = new RevocationFeedSnapshot(kv, { now: clock.now });
  const queries: { since: number; after?: { revokedAt: number; sid: string } }[] = [
    { since: 0 },
    { since: at(1) },
    { since: at(2) + 1 },
    { since: at(9) },
  ];
  for (const sid of ["", "a", "b", "\u{1F600}", "\uE000", "\uFFFF", "zz", "gone"]) {
    for (const s of [0, 1, 2, 3]) queries.push({ since: 0, after: { revokedAt: at(s), sid } });
  }
  for (const expiredToo of [false, true]) {
    if (expiredToo) {
      // "gone" has expired: neither lists it (and KV's reader, which counts it toward `limit`
      // until it is pruned, has pruned it).
      clock.advance(10_000);
      await listRevocations(kv, { since: 0, now: clock.now().getTime() });
    }
    for (const query of queries) {
      for (const limit of [1, 2, 3, 100]) {
        const fromMemory = await snapshot.page({ ...query, limit });
        const fromKv = await readRevocationPage(kv, {
          ...query,
          limit,
          now: clock.now().getTime(),
        });
        const label = JSON.stringify({ ...query, limit, expiredToo });
        assertEquals(fromMemory.revocations, fromKv.revocations, label);
        // KV's reader also says more may follow after a full last page; otherwise the same next.
        if (fromMemory.next !== undefined || fromKv.revocations.length < limit) {
          assertEquals(
            fromMemory.next && formatRevocationCursor(fromMemory.next),
            fromKv.next && formatRevocationCursor(fromKv.next),
            label,
          );
        }
      }
    }
  }
});

Deno.test("RevocationFeedSnapshot.page() leaves out a revocation once its session has expired", async () => {
  using kv = await Deno.openKv(":memory:");
  const clock = testClock();
  const now = clock.now().getTime();
  const snapshot = new RevocationFeedSnapshot(kv, { now: clock.now, maxAgeMs: 3_600_000 });
  snapshot.remember({ sid: "short", revokedAt: now, expiresAt: now + 5_000 });
  snapshot.remember({ sid: "long", revokedAt: now, expiresAt: now + 60_000 });
  const sids = async () =>
    (await snapshot.page({ since: 0, limit: 10 })).revocations.map((r) => r.sid);
  assertEquals(await sids(), ["long", "short"]);
  clock.advance(5_000);
  assertEquals(await sids(), ["long"]);
});
