import { assertThrows } from "../testing/assert.ts";
import { checkRequestLimits } from "./check_request_limits.ts";
import { RequestLimitError } from "./errors.ts";

const LIMITS = { maxMessages: 3, maxTools: 2, maxSystemBlocks: 1 };

Deno.test("checkRequestLimits() accepts bodies at the limits and non-array fields", () => {
  checkRequestLimits({ messages: [1, 2, 3], tools: [1, 2], system: [1] }, LIMITS);
  checkRequestLimits({ messages: "not a list", system: "text" }, LIMITS);
});

Deno.test("checkRequestLimits() names the field over its limit", () => {
  assertThrows(
    () => checkRequestLimits({ messages: [1, 2, 3, 4] }, LIMITS),
    RequestLimitError,
    "messages: 4 entries exceed this gateway's limit of 3",
  );
  assertThrows(() => checkRequestLimits({ tools: [1, 2, 3] }, LIMITS), RequestLimitError, "tools");
  assertThrows(() => checkRequestLimits({ system: [1, 2] }, LIMITS), RequestLimitError, "system");
});
