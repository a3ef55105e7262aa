import { assertEquals, assertStringIncludes } from "../testing/assert.ts";
import { startAuthFixture } from "./_testing.ts";

Deno.test("createApp() answers 405 with Allow and an RFC 6749 error for a known path with a wrong method", async () => {
  await using f = await startAuthFixture();
  const cases: [method: string, path: string, allow: string][] = [
    ["GET", "/oauth/token", "POST"],
    ["GET", "/oauth/revoke", "POST"],
    ["PUT", "/oauth/token", "POST"],
    ["POST", "/.well-known/jwks.json", "GET, HEAD"],
    ["POST", "/oauth/revocations", "GET, HEAD"],
    ["POST", "/admin/sessions", "DELETE, GET, HEAD"],
    ["GET", "/admin/sessions/some-sid", "DELETE"],
  ];
  for (const [method, path, allow] of cases) {
    const response = await f.app.request(path, { method });
    const what = `${method} ${path}`;
    assertEquals(response.status, 405, what);
    assertEquals(response.headers.get("allow"), allow, what);
    assertEquals(response.headers.get("content-type"), "application/json", what);
    assertEquals(response.headers.get("cache-control"), "no-store", what);
    const body = await response.json();
    assertEquals(Object.keys(body).sort(), ["error", "error_description"], what);
    assertEquals(body.error, "invalid_request", what);
    assertStringIncludes(body.error_description, allow.split(", ")[0]!, what);
  }
  assertEquals(f.logs.at(-1)?.code, "method_not_allowed");
});

Deno.test("createApp() answers 405 without a body to HEAD on a POST-only path", async () => {
  await using f = await startAuthFixture();
  const response = await f.app.request("/oauth/token", { method: "HEAD" });
  assertEquals(response.status, 405);
  assertEquals(response.headers.get("allow"), "POST");
  assertEquals(await response.text(), "");
});

Deno.test("createApp() answers 404 with an RFC 6749 error for an unknown path", async () => {
  await using f = await startAuthFixture();
  const cases: [method: string, path: string][] = [
    ["GET", "/oauth/nope"],
    ["POST", "/oauth/nope"],
    ["GET", "/.well-known/openid-configuration"],
    ["DELETE", "/admin/sessions/a/b"],
    ["GET", "/oauth/token/"],
  ];
  for (const [method, path] of cases) {
    const response = await f.app.request(path, { method });
    const what = `${method} ${path}`;
    assertEquals(response.status, 404, what);
    assertEquals(response.headers.get("allow"), null, what);
    assertEquals(response.headers.get("content-type"), "application/json", what);
    const body = await response.json();
    assertEquals(Object.keys(body).sort(), ["error", "error_description"], what);
    assertEquals(body.error, "invalid_request", what);
  }
  assertEquals(f.logs.at(-1)?.code, "route_not_found");
});

Deno.test("createApp() keeps tokens in an unknown path out of the 404 body and the log", async () => {
  await using f = await startAuthFixture();
  const token = await f.entra.mintAccessToken();
  f.secrets.add(token);
  const response = await f.app.request(`/oauth/token/${token}`);
  assertEquals(response.status, 404);
  const text = await response.text();
  f.errorBodies.push(text);
  assertEquals(JSON.parse(text).error, "invalid_request");
  assertEquals(f.logs.at(-1)?.code, "route_not_found");
  await f.assertNoLeaks();
});
