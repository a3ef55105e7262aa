import { decodeProtectedHeader, jwtVerify } from "jose";
import { AccessTokenError, verifyAccessToken } from "@ccgate/client";
import { assert, assertEquals, assertNotEquals, assertRejects } from "../testing/assert.ts";
import { testClock } from "./_testing.ts";
import { openSigningKeys } from "./signing_keys.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function verifyWith(key: Parameters<typeof verifyAccessToken>[1]["key"], token: string, now: Date) {
  return verifyAccessToken(token, { key, issuer: "iss", audience: "aud", currentDate: now });
}

function claims(now: Date) {
  const iat = Math.floor(now.getTime() / 1000);
  return {
    iss: "iss",
    aud: "aud",
    sub: "u",
    sid: "s",
    jti: crypto.randomUUID(),
    client_id: "c",
    iat,
    exp: iat + 3600,
  };
}

Deno.test("openSigningKeys() creates a current and a next ES256 key in KV", async () => {
  using kv = await Deno.openKv(":memory:");
  const keys = await openSigningKeys(kv);
  const { keys: published } = await keys.jwks();
  assertEquals(published.length, 2);
  for (const jwk of published) {
    assertEquals([jwk.kty, jwk.crv, jwk.alg, jwk.use], ["EC", "P-256", "ES256", "sig"]);
    assertEquals(jwk.d, undefined);
    const stored = await kv.get<{ createdAt: number; activatesAt: number; retiresAt: number }>([
      "keys",
      jwk.kid!,
    ]);
    assert(stored.value !== null && stored.value.retiresAt > stored.value.activatesAt);
  }
});

Deno.test("openSigningKeys() sign() writes an at+jwt header with the current kid", async () => {
  using kv = await Deno.openKv(":memory:");
  const keys = await openSigningKeys(kv);
  const token = await keys.sign({ sub: "u" });
  const header = decodeProtectedHeader(token);
  assertEquals(header.alg, "ES256");
  assertEquals(header.typ, "at+jwt");
  assertEquals(header.kid, (await keys.jwks()).keys[0]!.kid);
  assertEquals((await jwtVerify(token, keys.getKey)).payload.sub, "u");
});

Deno.test("openSigningKeys() instances sharing a KV share one ring", async () => {
  using kv = await Deno.openKv(":memory:");
  const [a, b] = await Promise.all([openSigningKeys(kv), openSigningKeys(kv)]);
  assertEquals(await a.jwks(), await b.jwks());
});

Deno.test("openSigningKeys() rotate() keeps tokens of the previous key valid until they expire", async () => {
  using kv = await Deno.openKv(":memory:");
  const clock = testClock();
  const keys = await openSigningKeys(kv, { now: clock.now });
  const before = await keys.jwks();
  const token = await keys.sign(claims(clock.now()));
  clock.advance(DAY);
  await keys.rotate();
  const after = await keys.jwks();
  assertEquals(after.keys.length, 3);
  assertEquals(after.keys[0]!.kid, before.keys[1]!.kid, "next became current");
  assertEquals(after.keys[2]!.kid, before.keys[0]!.kid, "current became previous");
  clock.advance(-DAY + 30 * 60_000);
  assertEquals((await verifyWith(keys.getKey, token, clock.now())).sub, "u");
  assertNotEquals(decodeProtectedHeader(await keys.sign({})).kid, before.keys[0]!.kid);
  // Two rotations later the old key is gone from KV and from the JWKS.
  await keys.rotate();
  assertEquals((await kv.get(["keys", before.keys[0]!.kid!])).value, null);
  const err = await assertRejects(
    () => verifyWith(keys.getKey, token, clock.now()),
    AccessTokenError,
  );
  assertEquals(err.code, "token_key_unknown");
});

Deno.test("openSigningKeys() getKey() picks up a key rotated by another instance without restart", async () => {
  using kv = await Deno.openKv(":memory:");
  const clock = testClock();
  const gateway = await openSigningKeys(kv, { now: clock.now });
  const auth = await openSigningKeys(kv, { now: clock.now });
  await auth.rotate();
  await auth.rotate(); // the new current key was generated after the gateway loaded the ring
  const token = await auth.sign(claims(clock.now()));
  assertEquals((await verifyWith(gateway.getKey, token, clock.now())).sub, "u");
});

Deno.test("openSigningKeys() getKey() rereads KV for unknown kids at most once per cooldown", async () => {
  using kv = await Deno.openKv(":memory:");
  const clock = testClock();
  const gateway = await openSigningKeys(kv, { now: clock.now, unknownKidCooldownMs: 30_000 });
  const auth = await openSigningKeys(kv, { now: clock.now });
  using otherKv = await Deno.openKv(":memory:");
  const forged = await (await openSigningKeys(otherKv)).sign(claims(clock.now()));
  await assertRejects(() => verifyWith(gateway.getKey, forged, clock.now()), AccessTokenError);
  await auth.rotate();
  await auth.rotate();
  const token = await auth.sign(claims(clock.now()));
  // Within the cooldown after the forged token's reread: still unknown.
  await assertRejects(() => verifyWith(gateway.getKey, token, clock.now()), AccessTokenError);
  clock.advance(30_000);
  assertEquals((await verifyWith(gateway.getKey, token, clock.now())).sub, "u");
});

Deno.test("openSigningKeys() rotate() on two instances at once rotates once", async () => {
  using kv = await Deno.openKv(":memory:");
  const a = await openSigningKeys(kv);
  const b = await openSigningKeys(kv);
  const before = await a.jwks();
  await Promise.all([a.rotate(), b.rotate()]);
  const ring = await kv.get<{ previous: string; current: string }>(["key_ring"]);
  assertEquals(ring.value?.previous, before.keys[0]!.kid);
  assertEquals(ring.value?.current, before.keys[1]!.kid);
  let stored = 0;
  for await (const _ of kv.list({ prefix: ["keys"] })) stored++;
  assertEquals(stored, 3);
});

Deno.test("openSigningKeys() rotateIfDue() rotates only once the interval has passed", async () => {
  using kv = await Deno.openKv(":memory:");
  const clock = testClock();
  const keys = await openSigningKeys(kv, { now: clock.now, rotationIntervalMs: DAY });
  clock.advance(DAY - 1);
  assertEquals(await keys.rotateIfDue(), false);
  clock.advance(1);
  const other = await openSigningKeys(kv, { now: clock.now, rotationIntervalMs: DAY });
  const results = await Promise.all([keys.rotateIfDue(), other.rotateIfDue()]);
  assertEquals(results.filter(Boolean).length, 1);
  assertEquals(await keys.rotateIfDue(), false);
});

Deno.test("openSigningKeys() sign() follows a rotation by another instance after reloadIntervalMs", async () => {
  using kv = await Deno.openKv(":memory:");
  const clock = testClock();
  const a = await openSigningKeys(kv, { now: clock.now, reloadIntervalMs: 60_000 });
  const b = await openSigningKeys(kv, { now: clock.now });
  const oldKid = decodeProtectedHeader(await a.sign({})).kid;
  await b.rotate();
  assertEquals(decodeProtectedHeader(await a.sign({})).kid, oldKid);
  clock.advance(60_000);
  assertNotEquals(decodeProtectedHeader(await a.sign({})).kid, oldKid);
});

Deno.test("openSigningKeys().rotatedAt() follows another instance's rotation once rotateIfDue() reads the ring", async () => {
  const clock = testClock();
  using kv = await Deno.openKv(":memory:");
  const a = await openSigningKeys(kv, { now: clock.now, rotationIntervalMs: DAY });
  const b = await openSigningKeys(kv, {
    now: clock.now,
    rotationIntervalMs: DAY,
    reloadIntervalMs: 10 * DAY,
  });
  const created = clock.now().getTime();
  assertEquals(b.rotatedAt(), created);
  clock.advance(DAY);
  assert(await a.rotateIfDue());
  assertEquals(a.rotatedAt(), created + DAY);
  assertEquals(b.rotatedAt(), created, "b has not reread the ring yet");
  clock.advance(HOUR);
  assertEquals(await b.rotateIfDue(), false);
  assertEquals(b.rotatedAt(), created + DAY);
});

Deno.test("openSigningKeys() getKey() stops trusting a key another instance retired after reloadIntervalMs", async () => {
  using kv = await Deno.openKv(":memory:");
  const clock = testClock();
  // An instance that only verifies (the gateway of `main.ts`): it never signs nor serves the JWKS.
  const gateway = await openSigningKeys(kv, { now: clock.now, reloadIntervalMs: 60_000 });
  const auth = await openSigningKeys(kv, { now: clock.now });
  const token = await auth.sign({ ...claims(clock.now()), exp: Number.MAX_SAFE_INTEGER });
  const kid = decodeProtectedHeader(token).kid!;
  await auth.rotate();
  await auth.rotate(); // the token's key is past its overlap: gone from the ring and from KV
  assertEquals((await kv.get(["keys", kid])).value, null);
  assertEquals(
    (await verifyWith(gateway.getKey, token, clock.now())).sub,
    "u",
    "bounded staleness",
  );
  clock.advance(60_000);
  const err = await assertRejects(
    () => verifyWith(gateway.getKey, token, clock.now()),
    AccessTokenError,
  );
  assertEquals(err.code, "token_key_unknown");
  // A new current key still verifies at once.
  assertEquals(
    (await verifyWith(gateway.getKey, await auth.sign(claims(clock.now())), clock.now())).sub,
    "u",
  );
});

Deno.test("openSigningKeys() getKey() goes on answering from memory when KV cannot be reread", async () => {
  const path = await Deno.makeTempFile();
  try {
    const clock = testClock();
    const kv = await Deno.openKv(path);
    const keys = await openSigningKeys(kv, { now: clock.now, reloadIntervalMs: 60_000 });
    const token = await keys.sign(claims(clock.now()));
    kv.close();
    clock.advance(60_000);
    assertEquals((await verifyWith(keys.getKey, token, clock.now())).sub, "u");
  } finally {
    await Deno.remove(path);
  }
});
