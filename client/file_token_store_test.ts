import { assertEquals, assertRejects } from "../testing/assert.ts";
import { storedSession } from "./_testing/session.ts";
import { TokenStoreError } from "./errors.ts";
import { FileTokenStore } from "./file_token_store.ts";

Deno.test("FileTokenStore.save() creates the file 0600 in a 0700 folder", async () => {
  const root = await Deno.makeTempDir();
  try {
    const store = new FileTokenStore(`${root}/ccgate/session.json`);
    await store.save(storedSession());
    assertEquals((await Deno.stat(`${root}/ccgate/session.json`)).mode! & 0o777, 0o600);
    assertEquals((await Deno.stat(`${root}/ccgate`)).mode! & 0o777, 0o700);
    assertEquals((await store.load())?.refreshToken, "rt-1");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("FileTokenStore.save() is 0600 even with umask 000, and replaces a world-readable file", async () => {
  const root = await Deno.makeTempDir();
  try {
    const path = `${root}/session.json`;
    await Deno.writeTextFile(path, "old", { mode: 0o644 });
    await Deno.chmod(path, 0o644);
    const script = `
      import { FileTokenStore } from ${
      JSON.stringify(new URL("./file_token_store.ts", import.meta.url).href)
    };
      await new FileTokenStore(${JSON.stringify(path)}).save(${JSON.stringify(storedSession())});
    `;
    const out = await new Deno.Command("sh", {
      args: ["-c", `umask 000 && exec "${Deno.execPath()}" eval --quiet "$0"`, script],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(new TextDecoder().decode(out.stderr), "");
    assertEquals(out.code, 0);
    assertEquals((await Deno.stat(path)).mode! & 0o777, 0o600);
    const leftovers = [...Deno.readDirSync(root)].map((e) => e.name);
    assertEquals(leftovers, ["session.json"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("FileTokenStore.load() returns undefined when there is no file, and clear() forgets", async () => {
  const root = await Deno.makeTempDir();
  try {
    const store = new FileTokenStore(`${root}/session.json`);
    assertEquals(await store.load(), undefined);
    await store.clear();
    await store.save(storedSession());
    await store.clear();
    assertEquals(await store.load(), undefined);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("FileTokenStore.load() reports a damaged file as store_corrupt", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${root}/session.json`, "{not json");
    const err = await assertRejects(
      () => new FileTokenStore(`${root}/session.json`).load(),
      TokenStoreError,
    );
    assertEquals(err.code, "store_corrupt");
    await Deno.writeTextFile(`${root}/session.json`, JSON.stringify({ version: 1 }));
    const err2 = await assertRejects(
      () => new FileTokenStore(`${root}/session.json`).load(),
      TokenStoreError,
    );
    assertEquals(err2.code, "store_corrupt");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("FileTokenStore.save() creates every file with createNew and mode 0600 at open time", async () => {
  const root = await Deno.makeTempDir();
  const realOpen = Deno.open;
  const opens: Deno.OpenOptions[] = [];
  Deno.open = ((path: string | URL, options?: Deno.OpenOptions) => {
    opens.push(options ?? {});
    return realOpen(path, options);
  }) as typeof Deno.open;
  try {
    await new FileTokenStore(`${root}/session.json`).save(storedSession());
  } finally {
    Deno.open = realOpen;
    await Deno.remove(root, { recursive: true });
  }
  assertEquals(opens.length, 1);
  assertEquals(opens[0]!.createNew, true);
  assertEquals(opens[0]!.mode, 0o600);
});

Deno.test("FileTokenStore.load() reports a file cut off inside a token as store_corrupt without quoting it", async () => {
  const root = await Deno.makeTempDir();
  try {
    const path = `${root}/session.json`;
    await Deno.writeTextFile(path, '{"version":1,"refreshToken":ccgr_CpjKJsecret');
    const err = await assertRejects(() => new FileTokenStore(path).load(), TokenStoreError);
    assertEquals(err.code, "store_corrupt");
    assertEquals(err.cause, undefined);
    assertEquals(err.message.includes("ccgr_"), false);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
