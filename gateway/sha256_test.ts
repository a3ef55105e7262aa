import { createHash } from "node:crypto";
import { assertEquals } from "../testing/assert.ts";
import { sha256 } from "./sha256.ts";

const hex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

Deno.test("sha256() matches the FIPS 180-4 test vectors", () => {
  assertEquals(
    hex(sha256("")),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
  assertEquals(
    hex(sha256("abc")),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assertEquals(
    hex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
  );
  assertEquals(
    hex(sha256("a".repeat(1_000_000))),
    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
  );
});

Deno.test("sha256() matches node:crypto at every length around the block boundaries", async () => {
  const random = crypto.getRandomValues(new Uint8Array(1100));
  for (let length = 0; length <= 1100; length++) {
    const data = random.subarray(0, length);
    const expected = createHash("sha256").update(data).digest("hex");
    assertEquals(hex(sha256(data)), expected, `length ${length}`);
  }
  const text = "jwt.é€😀".repeat(50);
  const subtle = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)),
  );
  assertEquals(sha256(text), subtle);
});
