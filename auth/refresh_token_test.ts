import { assertEquals, assertMatch, assertNotEquals, assertRejects } from "../testing/assert.ts";
import {
  generateRefreshToken,
  hashRefreshToken,
  openSuccessor,
  sealSuccessor,
} from "./refresh_token.ts";

Deno.test("generateRefreshToken() makes 256-bit prefixed tokens", () => {
  const a = generateRefreshToken();
  assertMatch(a, /^ccgr_[A-Za-z0-9_-]{43}$/);
  assertNotEquals(a, generateRefreshToken());
});

Deno.test("hashRefreshToken() is SHA-256, base64url", async () => {
  assertEquals(await hashRefreshToken("abc"), "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
});

Deno.test("openSuccessor() opens only with the rotated token", async () => {
  const sealed = await sealSuccessor("ccgr_old", "ccgr_new");
  assertEquals(await openSuccessor("ccgr_old", sealed), "ccgr_new");
  await assertRejects(() => openSuccessor("ccgr_other", sealed), DOMException);
});
