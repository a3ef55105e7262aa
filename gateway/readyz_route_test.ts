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
      kvReadiness(kv),
      httpReadiness("bedrock", `http://127.0.0.1:${server.addr.port}/`),
    ]),
  );
  const response = await app.request("/readyz");
  assertEquals(response.status, 200);
  const body = await response.json();
  assertEquals(body.status, "ready");
  assertEquals(body.checks[1], { name: "bedrock", ok: true, detail: "reachable (HTTP 404)" });
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
    { name: "auth", ok: true, detail: "reachable (HTTP 200)" },
    { name: "wrong", ok: false, detail: `${base}/jwks answered HTTP 404` },
  ]);
});
