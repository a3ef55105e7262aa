import { assertEquals, assertRejects } from "../testing/assert.ts";
import { testClock } from "./_testing.ts";
import { AuthError } from "./errors.ts";
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
