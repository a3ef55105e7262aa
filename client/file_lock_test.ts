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

Deno.test("FileLock.acquire() that timed out leaves nothing keeping the process alive", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/session.lock`;
  const held = await new FileLock(path).acquire();
  try {
    const code = `
      import { FileLock } from ${JSON.stringify(new URL("./file_lock.ts", import.meta.url).href)};
      await new FileLock(${JSON.stringify(path)}, { timeoutMs: 1 }).acquire()
        .catch((err) => console.log(err.code));
    `;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["eval", code],
      stdin: "null",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    // The lock stays held until the child has exited: a child waiting on it never would. The
    // guard turns that hang into a failure; the pass does not depend on it.
    let guard: ReturnType<typeof setTimeout> | undefined;
    const stillRunning = new Promise<"still running">((resolve) => {
      guard = setTimeout(() => resolve("still running"), 20_000);
    });
    const exited = child.output().then((out) => new TextDecoder().decode(out.stdout));
    const outcome = await Promise.race([exited, stillRunning]);
    clearTimeout(guard);
    if (outcome === "still running") {
      await held.release();
      await exited;
    }
    assertEquals(outcome, "store_lock_timeout\n");
  } finally {
    await held.release();
    await Deno.remove(dir, { recursive: true });
  }
});
