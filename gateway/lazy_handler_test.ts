import { Hono } from "hono";
import { assertEquals } from "../testing/assert.ts";
import { lazyHandler } from "./lazy_handler.ts";

Deno.test("lazyHandler() builds its handler on the first request, once", async () => {
  let loads = 0;
  const app = new Hono();
  app.get(
    "/doc",
    lazyHandler(() => {
      loads++;
      return Promise.resolve((c) => c.text(`built ${loads}`));
    }),
  );
  assertEquals(loads, 0);
  const answers = await Promise.all([app.request("/doc"), app.request("/doc")]);
  assertEquals(await Promise.all(answers.map((r) => r.text())), ["built 1", "built 1"]);
  assertEquals(await (await app.request("/doc")).text(), "built 1");
  assertEquals(loads, 1);
});

Deno.test("lazyHandler() retries a load that failed", async () => {
  let loads = 0;
  const app = new Hono();
  app.get(
    "/doc",
    lazyHandler(() => {
      loads++;
      return loads === 1
        ? Promise.reject(new Error("not yet"))
        : Promise.resolve((c) => c.text("built"));
    }),
  );
  app.onError((err, c) => c.text(err.message, 500));
  const first = await app.request("/doc");
  assertEquals([first.status, await first.text()], [500, "not yet"]);
  assertEquals(await (await app.request("/doc")).text(), "built");
  assertEquals(loads, 2);
});
