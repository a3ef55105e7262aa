import { Hono } from "hono";
import { assertEquals } from "../testing/assert.ts";
import { allowedMethods } from "./allowed_methods.ts";

Deno.test("allowedMethods() names the methods of the routes a path matches, HEAD with GET, not middleware", () => {
  const ok = () => new Response(null);
  const app = new Hono();
  app.use("/admin/*", async (_, next) => await next());
  app.post("/v1/messages", ok);
  app.get("/v1/models/:id?", ok);
  app.put("/admin/api/budget-overrides/:user", ok);
  app.delete("/admin/api/budget-overrides/:user", ok);
  assertEquals(allowedMethods(app, "/v1/messages"), ["POST"]);
  assertEquals(allowedMethods(app, "/v1/models/claude"), ["GET", "HEAD"]);
  assertEquals(allowedMethods(app, "/admin/api/budget-overrides/ann"), ["DELETE", "PUT"]);
  assertEquals(allowedMethods(app, "/admin/nothing"), []);
  assertEquals(allowedMethods(app, "/v2/messages"), []);
});
