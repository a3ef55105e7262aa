import { assert, assertThrows } from "../testing/assert.ts";
import { checkUnsupportedField } from "./check_unsupported_field.ts";
import { InvalidRequestError } from "./errors.ts";

Deno.test("checkUnsupportedField() refuses mcp_servers when the list names a server", () => {
  const servers = [{ type: "url", url: "https://mcp.example.com/sse", name: "example" }];
  const err = assertThrows(
    () => checkUnsupportedField("mcp_servers", servers),
    InvalidRequestError,
  );
  assert(err.message.startsWith("mcp_servers: the MCP connector is Anthropic-hosted"));
  assert(!err.message.includes("mcp.example.com"), "the message never quotes the request");
  assertThrows(() => checkUnsupportedField("mcp_servers", { name: "x" }), InvalidRequestError);
});

Deno.test("checkUnsupportedField() lets mcp_servers be dropped when it asks for nothing", () => {
  checkUnsupportedField("mcp_servers", []);
  checkUnsupportedField("mcp_servers", null);
  checkUnsupportedField("mcp_servers", undefined);
});

Deno.test("checkUnsupportedField() refuses an inference_geo other than global", () => {
  for (const geo of ["us", "eu", "US", ""]) {
    const err = assertThrows(
      () => checkUnsupportedField("inference_geo", geo),
      InvalidRequestError,
    );
    assert(err.message.startsWith('inference_geo: only "global" can be honoured'), geo);
  }
  assertThrows(
    () => checkUnsupportedField("inference_geo", ["us"]),
    InvalidRequestError,
    "Input should be a valid string",
  );
});

Deno.test("checkUnsupportedField() lets inference_geo be dropped when it is global or null", () => {
  checkUnsupportedField("inference_geo", "global");
  checkUnsupportedField("inference_geo", null);
});
