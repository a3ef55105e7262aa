import { assertEquals } from "../testing/assert.ts";
import { bearerToken } from "./bearer_token.ts";

Deno.test("bearerToken() reads an RFC 6750 bearer token and nothing else", () => {
  assertEquals(bearerToken("Bearer eyJ.abc-_~+/=="), "eyJ.abc-_~+/==");
  assertEquals(bearerToken("bearer  tok  "), "tok", "scheme case and spaces as HTTP allows");
  assertEquals(bearerToken("Basic dXNlcjpwYXNz"), undefined);
  assertEquals(bearerToken("Bearer a b"), undefined);
  assertEquals(bearerToken("Bearer tok!"), undefined);
  assertEquals(bearerToken(""), undefined);
});
