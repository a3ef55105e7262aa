import { Hono } from "hono";
import { assertEquals } from "../testing/assert.ts";
import { httpReadiness, kvReadiness } from "./readiness_checks.ts";
import { readyzRoute } from "./readyz_route.ts";

Deno.test("readyzRoute() is 200 when KV and the upstream answer", async () => {
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("no route", { status: 404 }),
  );
  using kv = await Deno.openKv(":memory:");
  const app = new Hono().get(
    "/readyz",
    readyzRoute([
      kvReadiness(kv, { ttlMs: 2_000, now: () => 0 }),
      httpReadiness("bedrock", `http://127.0.0.1:${server.addr.port}/`),
    ]),
  );
  const response = await app.request("/readyz");
  assertEquals(response.status, 200);
  const body = await response.json();
  assertEquals(body.status, "ready");
  assertEquals(body.checks[1], { name: "bedrock", ok: true, detail: "reachable" });
});

Deno.test("readyzRoute() is 503 naming the unreachable upstream", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const app = new Hono().get(
    "/readyz",
    readyzRoute([httpReadiness("bedrock", `http://127.0.0.1:${port}/`)]),
  );
  const response = await app.request("/readyz");
  assertEquals(response.status, 503);
  const body = await response.json();
  assertEquals(body.status, "not_ready");
  assertEquals(body.checks[0].ok, false);
  assertEquals(body.checks[0].name, "bedrock");
});

Deno.test("httpReadiness() with requireOk fails on an HTTP error answer (a wrong JWKS URL)", async () => {
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request) =>
      new URL(request.url).pathname === "/.well-known/jwks.json"
        ? Response.json({ keys: [] })
        : new Response("no route", { status: 404 }),
  );
  const base = `http://127.0.0.1:${server.addr.port}`;
  const app = new Hono().get(
    "/readyz",
    readyzRoute([
      httpReadiness("auth", `${base}/.well-known/jwks.json`, { requireOk: true }),
      httpReadiness("wrong", `${base}/jwks`, { requireOk: true }),
    ]),
  );
  const response = await app.request("/readyz");
  assertEquals(response.status, 503);
  assertEquals((await response.json()).checks, [
    { name: "auth", ok: true, detail: "reachable" },
    { name: "wrong", ok: false, detail: `${base}/jwks answered HTTP 404` },
  ]);
});

Deno.test("httpReadiness() reads any answer below 500 as plain reachable, and names a server error's status", async () => {
  // Bedrock Runtime answers the unsigned probe 403 or 404 (the emulator: 404): expected, not shown.
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request) => new Response(null, { status: Number(new URL(request.url).pathname.slice(1)) }),
  );
  const base = `http://127.0.0.1:${server.addr.port}`;
  const detail = (status: number) => httpReadiness("bedrock", `${base}/${status}`).check();
  assertEquals(await detail(200), "reachable");
  assertEquals(await detail(403), "reachable");
  assertEquals(await detail(404), "reachable");
  assertEquals(await detail(503), "reachable (answered HTTP 503)");
});
