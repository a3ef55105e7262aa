import { createHash } from "node:crypto";
import { assertEquals } from "../testing/assert.ts";
import { hashToken } from "./verified_token_cache.ts";

Deno.test("hashToken() is the token's SHA-256, base64url without padding", async () => {
  for (const token of ["", "a", "eyJhbGciOiJFUzI1NiJ9." + "x".repeat(900) + ".sig"]) {
    assertEquals(await hashToken(token), createHash("sha256").update(token).digest("base64url"));
  }
});
