import { assertEquals } from "../testing/assert.ts";
import { OverloadedError, ShuttingDownError, UpstreamTimeoutError } from "./errors.ts";
import { likelyBilled } from "./likely_billed.ts";

const withStatus = (error: Error, status: number) =>
  Object.assign(error, { $metadata: { httpStatusCode: status } });
const exception = (name: string, status: number) =>
  withStatus(Object.assign(new Error(name), { name }), status);
/** `fetch`'s rejection when the connection cannot be opened (Deno 2.9). */
const cannotConnect = () =>
  new TypeError("fetch failed", {
    cause: new Error(
      "error sending request for url (http://127.0.0.1:9/): client error (Connect): tcp connect error: Connection refused (os error 111)",
    ),
  });
/** `fetch`'s rejection when the connection closed after the request went out (Deno 2.9). */
const closedAfterSend = () =>
  new TypeError("fetch failed", {
    cause: new Error(
      "error sending request from 127.0.0.1:1 for http://127.0.0.1:2/ (127.0.0.1:2): client error (SendRequest): connection closed before message completed",
    ),
  });

Deno.test("likelyBilled() is false for what never went out, could not connect, or Bedrock refused", () => {
  const cases: [unknown, boolean][] = [
    [closedAfterSend(), false],
    [cannotConnect(), true],
    [exception("ThrottlingException", 429), true],
    [exception("ValidationException", 400), true],
    [exception("ServiceUnavailableException", 503), true],
    [Object.assign(new Error("x"), { name: "ModelStreamErrorException" }), true],
    [new OverloadedError("every circuit open", 30), true],
    [new TypeError("x", { cause: undefined }), false],
  ];
  for (const [error, sent] of cases) {
    assertEquals(likelyBilled(error, sent, false), false, String(error));
  }
});

Deno.test("likelyBilled() is true once sent: client gone, gateway gave up, connection broke", () => {
  const body = withStatus(new TypeError("error reading a body from connection"), 200);
  const cases: [unknown, boolean][] = [
    [new DOMException("aborted", "AbortError"), true],
    [exception("ThrottlingException", 429), true],
    [new UpstreamTimeoutError("first_byte", 1_000), false],
    [new UpstreamTimeoutError("total", 60_000), false],
    [new ShuttingDownError(), false],
    [closedAfterSend(), false],
    [body, false],
  ];
  for (const [error, clientAborted] of cases) {
    assertEquals(likelyBilled(error, true, clientAborted), true, String(error));
  }
});
