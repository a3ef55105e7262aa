import { assertEquals, assertRejects } from "../testing/assert.ts";
import { TokenStoreError } from "./errors.ts";
import { FileLock } from "./file_lock.ts";

Deno.test("FileLock.acquire() lets one holder at a time in, in order", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const lock = new FileLock(`${dir}/nested/session.lock`);
    const events: string[] = [];
    const first = await lock.acquire();
    const second = lock.acquire().then(async (held) => {
      events.push("second");
      await held.release();
    });
    events.push("first");
    await first.release();
    await second;
    assertEquals(events, ["first", "second"]);
    assertEquals((await Deno.stat(`${dir}/nested/session.lock`)).mode! & 0o777, 0o600);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FileLock.acquire() gives up with store_lock_timeout while another holder keeps it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const held = await new FileLock(`${dir}/session.lock`).acquire();
    const err = await assertRejects(
      () => new FileLock(`${dir}/session.lock`, { timeoutMs: 1 }).acquire(),
      TokenStoreError,
    );
    assertEquals(err.code, "store_lock_timeout");
    await held.release();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
