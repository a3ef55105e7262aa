import { assertEquals } from "../testing/assert.ts";
import {
  REVOCATION_BATCH_CHARS,
  revocationBatches,
  REVOCATIONS_PER_COMMIT,
} from "./revocation_batches.ts";

const entry = (sid: string, pad = 0) => ({
  key: ["sessions", sid],
  value: { sid, groups: "g".repeat(pad) },
  versionstamp: "00000000000000010000",
});

Deno.test("revocationBatches() holds at most REVOCATIONS_PER_COMMIT sessions a batch, in order", () => {
  const entries = Array.from({ length: 2 * REVOCATIONS_PER_COMMIT + 5 }, (_, i) => entry(`s${i}`));
  const batches = revocationBatches(entries);
  assertEquals(batches.map((b) => b.length), [REVOCATIONS_PER_COMMIT, REVOCATIONS_PER_COMMIT, 5]);
  assertEquals(batches.flat(), entries);
});

Deno.test("revocationBatches() keeps each batch's records under REVOCATION_BATCH_CHARS; a larger one goes alone", () => {
  const big = entry("big", REVOCATION_BATCH_CHARS);
  const large = Array.from({ length: 10 }, (_, i) => entry(`s${i}`, REVOCATION_BATCH_CHARS / 4));
  const batches = revocationBatches([...large, big, entry("last")]);
  assertEquals(batches.map((b) => b.length), [3, 3, 3, 1, 1, 1]);
  assertEquals(batches.at(-2), [big]);
  assertEquals(revocationBatches([]), []);
});
