import { assertEquals, assertThrows } from "../testing/assert.ts";
import { MalformedUpstreamError } from "./errors.ts";
import { parseBedrockJson } from "./parse_bedrock_json.ts";

const encode = (text: string) => new TextEncoder().encode(text);

Deno.test("parseBedrockJson() returns the object Bedrock sent", () => {
  assertEquals(parseBedrockJson(encode('{"type":"ping","n":1}'), "a malformed stream event"), {
    type: "ping",
    n: 1,
  });
});

Deno.test("parseBedrockJson() throws a 502 MalformedUpstreamError for anything but a JSON object", () => {
  for (const text of ["not json", "null", "[1,2]", '"text"', "7", ""]) {
    const err = assertThrows(
      () => parseBedrockJson(encode(text), "a malformed response"),
      MalformedUpstreamError,
    );
    assertEquals([err.status, err.type, err.message], [
      502,
      "api_error",
      "Bedrock sent a malformed response",
    ]);
  }
});
