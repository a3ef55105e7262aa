import { assert, assertEquals, assertRejects } from "../testing/assert.ts";
import { testClock } from "./_testing.ts";
import { AuthError } from "./errors.ts";
import { listRevocations } from "./revocation_feed.ts";
import { SessionStore } from "./session_store.ts";

const IDENTITY = { sub: "00000000-0000-4000-8000-00000000a11c", tid: "t", roles: [], groups: [] };

Deno.test("SessionStore refuses a sub or sid longer than 256 characters before touching KV", async () => {
  using kv = await Deno.openKv(":memory:");
  const now = testClock().now();
  const sessions = new SessionStore(kv, { sessionTtlSeconds: 3600, refreshGraceSeconds: 30 });
  const long = "a".repeat(5000);
  const calls: [string, () => Promise<unknown>][] = [
    ["listForUser", () => sessions.listForUser(long, now)],
    ["revokeUser", () => sessions.revokeUser("a".repeat(257), now, "admin")],
    ["get", () => sessions.get(long)],
    ["revoke", () => sessions.revoke(long, now, "admin")],
    ["create", () => sessions.create({ ...IDENTITY, sub: long }, "cli", now)],
  ];
  for (const [name, call] of calls) {
    const err = await assertRejects(call, AuthError, "256 characters");
    assertEquals([err.code, err.status], ["parameter_too_long", 400], name);
  }
  assertEquals(await Array.fromAsync(kv.list({ prefix: [] })), []);
  // 256 characters is still a usable subject.
  const { session } = await sessions.create({ ...IDENTITY, sub: "a".repeat(256) }, "cli", now);
  assertEquals((await sessions.listForUser("a".repeat(256), now)).map((s) => s.sid), [session.sid]);
});

Deno.test("SessionStore.revokeUser() revokes hundreds of a user's sessions in a few KV commits, each in the feed", async () => {
  using kv = await Deno.openKv(":memory:");
  const now = testClock().now();
  let commits = 0;
  // Counts atomic operations; everything else is the real KV.
  const counted = new Proxy(kv, {
    get(target, prop) {
      if (prop === "atomic") return () => (commits++, target.atomic());
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const announced: string[] = [];
  const sessions = new SessionStore(counted, {
    sessionTtlSeconds: 3600,
    refreshGraceSeconds: 30,
    onRevoked: (r) => announced.push(r.sid),
  });
  // A build robot signing in every hour, its token carrying Entra's most groups (200): each
  // session record is about 9 KB, so 150 of them are more than one KV commit may write.
  const groups = Array.from({ length: 200 }, () => crypto.randomUUID());
  const robot = { ...IDENTITY, groups };
  const created: string[] = [];
  const tokens: string[] = [];
  for (let i = 0; i < 150; i++) {
    const grant = await sessions.create(robot, "cli", now);
    created.push(grant.session.sid);
    tokens.push(grant.refreshToken);
  }
  const loggedOut = created[0]!;
  await sessions.revoke(loggedOut, now, "logout");
  const other = await sessions.create({ ...IDENTITY, sub: "someone-else" }, "cli", now);
  commits = 0;
  announced.length = 0;
  const revoked = await sessions.revokeUser(IDENTITY.sub, now, "admin");
  const others = created.filter((sid) => sid !== loggedOut).sort();
  assertEquals(revoked.sort(), others);
  assertEquals(announced.sort(), others);
  assert(commits <= 4, `${commits} commits`);
  const feed = await listRevocations(kv, { since: 0, now: now.getTime() });
  assertEquals(feed.map((r) => r.sid).sort(), [...created].sort());
  for (const session of await sessions.listForUser(IDENTITY.sub, now)) {
    assertEquals(session.revokedReason, session.sid === loggedOut ? "logout" : "admin");
  }
  await assertRejects(() => sessions.refresh(tokens[75]!, now), AuthError, "revoked");
  assertEquals((await sessions.get(other.session.sid))?.revokedAt, null);
});

Deno.test("SessionStore.revokeUser() revokes one by one the batch a concurrent change made fail", async () => {
  using kv = await Deno.openKv(":memory:");
  const now = testClock().now();
  const created: string[] = [];
  const plain = new SessionStore(kv, { sessionTtlSeconds: 3600, refreshGraceSeconds: 30 });
  for (let i = 0; i < 5; i++) created.push((await plain.create(IDENTITY, "cli", now)).session.sid);
  const [loggedOut, touched] = created as [string, string];
  let first = true;
  // Before the first commit goes out, another instance logs one session out and rewrites
  // another (as a refresh would): the batch's versionstamp checks fail.
  const racing = new Proxy(kv, {
    get(target, prop) {
      if (prop === "atomic") {
        return () => {
          const op = target.atomic();
          const commit = op.commit.bind(op);
          op.commit = async () => {
            if (first) {
              first = false;
              await plain.revoke(loggedOut, now, "logout");
              const entry = await kv.get(["sessions", touched]);
              await kv.set(entry.key, entry.value);
            }
            return await commit();
          };
          return op;
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const announced: string[] = [];
  const sessions = new SessionStore(racing, {
    sessionTtlSeconds: 3600,
    refreshGraceSeconds: 30,
    onRevoked: (r) => announced.push(r.sid),
  });
  const revoked = await sessions.revokeUser(IDENTITY.sub, now, "admin");
  const others = created.filter((sid) => sid !== loggedOut).sort();
  assertEquals(first, false);
  assertEquals(revoked.sort(), others);
  assertEquals(announced.sort(), others);
  for (const session of await plain.listForUser(IDENTITY.sub, now)) {
    assertEquals(
      session.revokedReason,
      session.sid === loggedOut ? "logout" : "admin",
      session.sid,
    );
  }
  const feed = await listRevocations(kv, { since: 0, now: now.getTime() });
  assertEquals(feed.map((r) => r.sid).sort(), [...created].sort());
});
