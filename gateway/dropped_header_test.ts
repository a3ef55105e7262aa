import { assert, assertEquals } from "../testing/assert.ts";
import { droppedHeader } from "./dropped_header.ts";

Deno.test("droppedHeader() percent-encodes control and non-ASCII characters", () => {
  assertEquals(
    droppedHeader(["field:a\r\nSet-Cookie: x", "beta:\u001b[31m", "tool:tools.0.€", "field:50%"]),
    "field:a%0D%0ASet-Cookie: x, beta:%1B[31m, tool:tools.0.%E2%82%AC, field:50%25",
  );
  new Headers({ "x-ccgate-dropped": droppedHeader(["field:\u2028\u0000"]) });
});

Deno.test("droppedHeader() caps the value", () => {
  const value = droppedHeader(Array.from({ length: 500 }, (_, i) => `field:f${i}`));
  assert(value.length <= 1024 + 5, String(value.length));
  assert(value.endsWith(", ..."));
});
