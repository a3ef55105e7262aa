import { assertEquals } from "../testing/assert.ts";
import { allowedMethods } from "./allowed_methods.ts";

Deno.test("allowedMethods() names the methods of the routes a path matches, HEAD with GET, not middleware", () => {
  const allow = allowedMethods([
    { method: "ALL", path: "/admin/*" },
    { method: "POST", path: "/v1/messages" },
    { method: "GET", path: "/v1/models/:id?" },
    { method: "PUT", path: "/admin/api/budget-overrides/:user" },
    { method: "DELETE", path: "/admin/api/budget-overrides/:user" },
  ]);
  assertEquals(allow("/v1/messages"), ["POST"]);
  assertEquals(allow("/v1/models/claude"), ["GET", "HEAD"]);
  assertEquals(allow("/admin/api/budget-overrides/ann"), ["PUT", "DELETE"]);
  assertEquals(allow("/admin/nothing"), []);
  assertEquals(allow("/v2/messages"), []);
});
