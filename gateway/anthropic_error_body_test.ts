import { assertEquals } from "../testing/assert.ts";
import { anthropicErrorBody } from "./anthropic_error_body.ts";

Deno.test("anthropicErrorBody() builds Anthropic's error shape", () => {
  assertEquals(
    JSON.stringify(anthropicErrorBody("rate_limit_error", "Slow down")),
    '{"type":"error","error":{"type":"rate_limit_error","message":"Slow down"}}',
  );
});

Deno.test("anthropicErrorBody() adds request_id when given", () => {
  assertEquals(anthropicErrorBody("api_error", "x", "req_1"), {
    type: "error",
    error: { type: "api_error", message: "x" },
    request_id: "req_1",
  });
  assertEquals("request_id" in anthropicErrorBody("api_error", "x", ""), false);
});
