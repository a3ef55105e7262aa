import { assertEquals, assertRejects } from "../../testing/assert.ts";
import { NextCommit } from "./next_commit.ts";

Deno.test("NextCommit.settle() resolves those waiting for the commit, and arms a new promise", async () => {
  const committed = new NextCommit();
  const first = committed.promise;
  assertEquals(committed.promise, first);
  committed.settle(false);
  await first;
  const second = committed.promise;
  assertEquals(second === first, false);
  let settled = false;
  second.then(() => settled = true);
  await Promise.resolve();
  assertEquals(settled, false);
  committed.settle(false);
  await second;
  assertEquals(settled, true);
});

Deno.test("NextCommit.settle() rejects with the commit's error when it failed", async () => {
  const committed = new NextCommit();
  const waiting = committed.promise;
  const failure = new Error("kv down");
  committed.settle(true, failure);
  const err = await assertRejects(() => waiting, Error, "kv down");
  assertEquals(err === failure, true);
});

Deno.test("NextCommit.settle() of a failure nobody waits for is not an unhandled rejection", async () => {
  const committed = new NextCommit();
  committed.settle(true, new Error("kv down"));
  // An unhandled rejection would fail this test when the event loop turns.
  await new Promise((resolve) => setTimeout(resolve, 0));
});
