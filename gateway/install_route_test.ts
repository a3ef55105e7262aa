import { Hono } from "hono";
import { assertEquals } from "../testing/assert.ts";
import { installRoute, mirrorPath } from "./install_route.ts";
import { RouteNotFoundError } from "./errors.ts";

async function withMirror(fn: (app: Hono, dir: string) => Promise<void>) {
  const base = await Deno.makeTempDir();
  const dir = `${base}/mirror`;
  try {
    await Deno.mkdir(`${dir}/2.1.197/linux-x64`, { recursive: true });
    await Deno.writeTextFile(`${dir}/stable`, "2.1.197\n");
    await Deno.writeTextFile(
      `${dir}/2.1.197/manifest.json`,
      '{"version":"2.1.197","platforms":{}}',
    );
    await Deno.writeTextFile(`${dir}/2.1.197/linux-x64/claude`, "0123456789");
    await Deno.writeTextFile(`${base}/secret.txt`, "outside the mirror");
    await Deno.symlink(`${base}/secret.txt`, `${dir}/escape`);
    const app = new Hono();
    app.on(["GET", "HEAD"], "/install/*", installRoute(dir));
    app.onError((err) =>
      err instanceof RouteNotFoundError
        ? new Response("not found", { status: 404 })
        : new Response(String(err), { status: 500 })
    );
    await fn(app, dir);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
}

Deno.test("installRoute() serves the mirror's files read-only, with Range", async () => {
  await withMirror(async (app) => {
    const stable = await app.request("/install/stable");
    assertEquals(stable.status, 200);
    assertEquals(await stable.text(), "2.1.197\n");
    const manifest = await app.request("/install/2.1.197/manifest.json");
    assertEquals(manifest.headers.get("content-type"), "application/json");
    assertEquals((await manifest.json()).version, "2.1.197");
    const part = await app.request("/install/2.1.197/linux-x64/claude", {
      headers: { range: "bytes=4-" },
    });
    assertEquals(part.status, 206);
    assertEquals(part.headers.get("content-range"), "bytes 4-9/10");
    assertEquals(await part.text(), "456789");
    const head = await app.request("/install/2.1.197/linux-x64/claude", { method: "HEAD" });
    assertEquals(head.headers.get("content-length"), "10");
    const post = await app.request("/install/stable", { method: "POST" });
    assertEquals(post.status, 404);
  });
});

Deno.test("installRoute() refuses every way out of the folder with a 404", async () => {
  await withMirror(async (app) => {
    for (
      const path of [
        "/install/../secret.txt",
        "/install/%2e%2e/secret.txt",
        "/install/2.1.197/..%2f..%2fsecret.txt",
        "/install/2.1.197/%5c..%5c..%5csecret.txt",
        "/install/escape",
        "/install/",
        "/install/2.1.197",
        "/install/2.1.197//linux-x64/claude",
        "/install/%00",
      ]
    ) {
      const res = await app.request(path);
      assertEquals(res.status, 404, path);
      await res.body?.cancel();
    }
  });
});

Deno.test("mirrorPath() decodes once and rejects dot segments and separators", () => {
  assertEquals(mirrorPath("/install/2.1.197/linux-x64/claude"), "2.1.197/linux-x64/claude");
  assertEquals(mirrorPath("/install/a%20b"), "a b");
  assertEquals(mirrorPath("/install/%252e%252e"), "%2e%2e");
  assertEquals(mirrorPath("/install/C:%5cWindows"), undefined);
  assertEquals(mirrorPath("/other/x"), undefined);
});
