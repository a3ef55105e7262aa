import { answerScript, textAnswer } from "@ccgate/emulators";
import { assertEquals } from "../testing/assert.ts";
import { postMessages, startGatewayStack } from "../testing/gateway_stack.ts";
import { midStreamError } from "./mid_stream_error.ts";

function bedrockException(name: string, message = "from Bedrock"): Error {
  return Object.assign(new Error(message), { name });
}

Deno.test("midStreamError() makes throttling an overloaded_error without a delay to wait for", () => {
  for (const name of ["ThrottlingException", "ServiceQuotaExceededException"]) {
    assertEquals(midStreamError(bedrockException(name)), {
      type: "overloaded_error",
      message: "Bedrock throttled the model while it was answering",
    });
  }
});

Deno.test("midStreamError() keeps every other failure as before the first byte", () => {
  const table: [Error, string, string][] = [
    [
      bedrockException("ModelStreamErrorException"),
      "api_error",
      "The model's response stream failed",
    ],
    [
      bedrockException("ServiceUnavailableException"),
      "overloaded_error",
      "Bedrock is temporarily unavailable",
    ],
    [
      bedrockException("ModelTimeoutException"),
      "timeout_error",
      "The model took too long to respond",
    ],
    [bedrockException("ValidationException", "bad input"), "invalid_request_error", "bad input"],
    [
      bedrockException("TypeError", "error sending request"),
      "api_error",
      "Could not reach Bedrock",
    ],
  ];
  for (const [error, type, message] of table) {
    assertEquals(midStreamError(error), { type, message }, error.name);
  }
});

Deno.test("POST /v1/messages ends a stream Bedrock throttles mid-answer with an overloaded_error event", async () => {
  await using stack = await startGatewayStack();
  stack.emulator.enqueue(
    answerScript(textAnswer(["partial"]), {
      failAfter: { events: 3, exception: "ThrottlingException" },
    }),
  );
  const response = await postMessages(stack.url, stack.token, { stream: true });
  assertEquals(response.status, 200);
  const text = await response.text();
  assertEquals(text.trimEnd().split("\n").slice(-2), [
    "event: error",
    'data: {"type":"error","error":{"type":"overloaded_error","message":"Bedrock throttled the model while it was answering"}}',
  ]);
  // The ledger and metrics still name what Bedrock sent.
  assertEquals(stack.logs.find((r) => r.msg === "messages")?.error_type, "ThrottlingException");
});
