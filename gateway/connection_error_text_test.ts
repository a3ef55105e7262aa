import { assert, assertEquals } from "../testing/assert.ts";
import { connectionErrorText, MAX_CONNECTION_ERROR_TEXT } from "./connection_error_text.ts";

Deno.test("connectionErrorText() names the cause of a connection failure, without credentials", () => {
  const err = new TypeError(
    "error sending request for url (https://user:secret@bedrock.example.com/model/x/invoke?X-Amz-Signature=abc)",
    {
      cause: new Error(
        "client error (Connect): tcp connect error: Connection refused (os error 111)",
      ),
    },
  );
  assertEquals(
    connectionErrorText(err),
    "TypeError: error sending request for url (https://bedrock.example.com/model/x/invoke): client error (Connect): tcp connect error: Connection refused (os error 111)",
  );
});

Deno.test("connectionErrorText() gives only the name of an error that carries an HTTP answer", () => {
  const sdk = Object.assign(new Error("messages.0.content: the prompt says hello"), {
    name: "ValidationException",
    $metadata: { httpStatusCode: 400 },
  });
  assertEquals(connectionErrorText(sdk), "ValidationException");
  const withStatus = Object.assign(new Error("quoted request"), { status: 503 });
  assertEquals(connectionErrorText(withStatus), "Error");
});

Deno.test("connectionErrorText() is one bounded line", () => {
  const text = connectionErrorText(new Error(`line one\nline two ${"x".repeat(1_000)}`));
  assert(!text.includes("\n"));
  assertEquals(text.length, MAX_CONNECTION_ERROR_TEXT);
  assertEquals(connectionErrorText("boom"), "string");
  assertEquals(connectionErrorText(Object.assign(new Error(""), { name: "bad name!" })), "Error");
});
