import { Hono } from "hono";
import { assertEquals } from "./testing/assert.ts";
import { composeApp } from "./compose_app.ts";

Deno.test("composeApp() routes auth paths to auth and the rest to the gateway", async () => {
  const auth = new Hono().all("*", (c) => c.text("auth"));
  const gateway = new Hono().all("*", (c) => c.text("gateway"));
  const handler = composeApp(auth, gateway);
  const info = {
    remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 1 },
    completed: Promise.resolve(),
  } as Deno.ServeHandlerInfo;
  const cases: [string, string][] = [
    ["/oauth/token", "auth"],
    ["/.well-known/jwks.json", "auth"],
    ["/admin/sessions", "auth"],
    ["/admin/sessions/abc", "auth"],
    ["/admin/sessionsx", "gateway"],
    ["/v1/messages", "gateway"],
    ["/healthz", "gateway"],
    ["/oauthx", "gateway"],
  ];
  for (const [path, expected] of cases) {
    const response = await handler(new Request(`http://x${path}`), info);
    assertEquals(await response.text(), expected, path);
  }
});
