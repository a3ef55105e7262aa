import { assertEquals } from "../testing/assert.ts";
import { listenAddress, listenFirst, yieldToRequests } from "./listen_first.ts";

Deno.test("listenAddress() reads PORT and HOSTNAME as server_env.ts accepts them", () => {
  assertEquals(listenAddress({}, "127.0.0.1"), { hostname: "127.0.0.1", port: 8080 });
  assertEquals(listenAddress({ PORT: "0" }, "0.0.0.0"), { hostname: "0.0.0.0", port: 0 });
  assertEquals(listenAddress({ PORT: "65535", HOSTNAME: " ::1 " }, "127.0.0.1"), {
    hostname: "::1",
    port: 65_535,
  });
});

Deno.test("listenAddress() leaves settings that are not plainly valid to the full check", () => {
  for (const env of [{ PORT: "soon" }, { PORT: "65536" }, { PORT: "-1" }, { HOSTNAME: " " }]) {
    assertEquals(listenAddress(env, "127.0.0.1"), undefined, JSON.stringify(env));
  }
});

Deno.test("listenFirst() answers /healthz while starting, 503 elsewhere, then the installed app", async () => {
  const { server, serve } = listenFirst({ hostname: "127.0.0.1", port: 0 });
  try {
    const url = `http://127.0.0.1:${server.addr.port}`;
    const health = await fetch(`${url}/healthz`);
    assertEquals([health.status, await health.json()], [200, { status: "ok" }]);
    const ready = await fetch(`${url}/readyz`);
    assertEquals([ready.status, (await ready.json()).status], [503, "not_ready"]);
    const messages = await fetch(`${url}/v1/messages`, { method: "POST", body: "{}" });
    assertEquals(messages.status, 503);
    assertEquals(messages.headers.get("retry-after"), "1");
    assertEquals((await messages.json()).error.type, "overloaded_error");

    serve((request) => new Response(`app ${new URL(request.url).pathname}`));
    await yieldToRequests();
    assertEquals(await (await fetch(`${url}/readyz`)).text(), "app /readyz");
    assertEquals(await (await fetch(`${url}/healthz`)).text(), "app /healthz");
  } finally {
    await server.shutdown();
  }
});
