import { assertEquals } from "../../testing/assert.ts";
import { DEFAULT_ALLOWED_BETAS, DEFAULT_ALLOWED_KEYS } from "./defaults.ts";
import { validateInvokeBody, validateInvokeJson } from "./validate_invoke_body.ts";

const options = { allowedKeys: DEFAULT_ALLOWED_KEYS, allowedBetas: DEFAULT_ALLOWED_BETAS };
const valid = {
  anthropic_version: "bedrock-2023-05-31",
  max_tokens: 100,
  messages: [{ role: "user", content: "hi" }],
};

function check(body: unknown) {
  return validateInvokeBody(typeof body === "string" ? body : JSON.stringify(body), options);
}

Deno.test("validateInvokeBody() accepts a Claude Messages body and returns it parsed", () => {
  const body = { ...valid, system: "s", anthropic_beta: ["interleaved-thinking-2025-05-14"] };
  assertEquals(check(body), { ok: true, body });
});

Deno.test("validateInvokeBody() rejects model and stream as extraneous keys, in body order", () => {
  assertEquals(check({ model: "claude", ...valid, stream: true }), {
    ok: false,
    message: "Malformed input request: #: extraneous key [model] is not permitted" +
      "#: extraneous key [stream] is not permitted, please reformat your input and try again.",
  });
});

Deno.test("validateInvokeBody() reports missing required keys", () => {
  assertEquals(check({ anthropic_version: "bedrock-2023-05-31" }), {
    ok: false,
    message: "Malformed input request: #: required key [max_tokens] not found" +
      "#: required key [messages] not found, please reformat your input and try again.",
  });
});

Deno.test("validateInvokeBody() rejects another anthropic_version", () => {
  assertEquals(check({ ...valid, anthropic_version: "2023-06-01" }), {
    ok: false,
    message: "Malformed input request: #/anthropic_version: 2023-06-01 is not a valid enum value" +
      ", please reformat your input and try again.",
  });
});

Deno.test("validateInvokeBody() rejects wrong types", () => {
  const result = check({ ...valid, max_tokens: "10", messages: {}, anthropic_beta: "x" });
  assertEquals(result, {
    ok: false,
    message: "Malformed input request: #/max_tokens: expected type: Integer, found: String" +
      "#/messages: expected type: JSONArray, found: JSONObject" +
      "#/anthropic_beta: expected type: JSONArray, found: String" +
      ", please reformat your input and try again.",
  });
});

Deno.test("validateInvokeBody() rejects an unknown beta flag", () => {
  assertEquals(check({ ...valid, anthropic_beta: ["mcp-servers-2025-12-04"] }), {
    ok: false,
    message: "invalid beta flag",
  });
});

Deno.test("validateInvokeBody() rejects a body that is not a JSON object", () => {
  assertEquals(check("not json").ok, false);
  assertEquals(check([1]), {
    ok: false,
    message: "Malformed input request: #: expected type: JSONObject, found: JSONArray" +
      ", please reformat your input and try again.",
  });
});

Deno.test("validateInvokeBody() uses the allowed keys it is given", () => {
  const result = validateInvokeBody(JSON.stringify({ ...valid, metadata: {} }), {
    allowedKeys: ["anthropic_version", "max_tokens", "messages"],
    allowedBetas: [],
  });
  assertEquals(result.ok, false);
});

Deno.test("validateInvokeJson() gives the same answers as validateInvokeBody() on the parsed text", () => {
  const bodies: unknown[] = [
    valid,
    { model: "claude", ...valid, stream: true },
    { anthropic_version: "bedrock-2023-05-31" },
    { ...valid, anthropic_beta: ["not-a-beta"] },
    [],
    "text",
    null,
  ];
  for (const body of bodies) {
    assertEquals(
      validateInvokeJson(body, options),
      validateInvokeBody(JSON.stringify(body), options),
    );
  }
});

Deno.test("validateInvokeBody() refuses tool_reference blocks without the tool search beta, or to a tool the body does not declare, as Bedrock does", () => {
  const body = (betas: string[], tools: string[] = []) =>
    JSON.stringify({
      anthropic_version: "bedrock-2023-05-31",
      max_tokens: 10,
      ...(betas.length > 0 ? { anthropic_beta: betas } : {}),
      ...(tools.length > 0
        ? { tools: tools.map((name) => ({ name, input_schema: { type: "object" } })) }
        : {}),
      messages: [{
        role: "user",
        content: [{
          type: "tool_result",
          tool_use_id: "t",
          content: [{ type: "tool_reference", tool_name: "WebFetch" }],
        }],
      }],
    });
  const options = {
    allowedKeys: ["anthropic_version", "anthropic_beta", "max_tokens", "messages", "tools"],
    allowedBetas: ["tool-search-tool-2025-10-19"],
  };
  const message = (text: string) => {
    const result = validateInvokeBody(text, options);
    return result.ok ? "ok" : result.message;
  };
  const refusal = "Tool reference not found in available tools";
  assertEquals(message(body([], ["WebFetch"])), refusal);
  assertEquals(message(body(["tool-search-tool-2025-10-19"], ["Read"])), refusal);
  assertEquals(message(body(["tool-search-tool-2025-10-19"], ["Read", "WebFetch"])), "ok");
});

Deno.test("validateInvokeJson() refuses defer_loading and tool search tools without the tool search beta, as Bedrock does", () => {
  const tools = [
    { name: "Read", input_schema: { type: "object" } },
    { name: "WebFetch", input_schema: { type: "object" }, defer_loading: true },
  ];
  const message = (body: object) => {
    const result = validateInvokeJson({ ...valid, ...body }, options);
    return result.ok ? "ok" : result.message;
  };
  assertEquals(
    message({ tools }),
    "tools.1.custom.defer_loading: Extra inputs are not permitted",
  );
  assertEquals(
    message({
      tools: [{ type: "tool_search_tool_regex_20251119", name: "tool_search_tool_regex" }],
    }),
    "tools.0: Input tag 'tool_search_tool_regex_20251119' found using 'type' does not match any of the expected tags",
  );
  assertEquals(message({ tools, anthropic_beta: ["tool-search-tool-2025-10-19"] }), "ok");
});

Deno.test("validateInvokeJson() with toolSearch: false refuses the tool search beta with Bedrock's 'invalid beta flag'", () => {
  const body = { ...valid, anthropic_beta: ["tool-search-tool-2025-10-19"] };
  const refused = validateInvokeJson(body, { ...options, toolSearch: false });
  assertEquals(refused.ok ? "ok" : refused.message, "invalid beta flag");
  assertEquals(validateInvokeJson(valid, { ...options, toolSearch: false }).ok, true);
  assertEquals(validateInvokeJson(body, options).ok, true);
});

Deno.test("validateInvokeBody() refuses context_management without the context-management beta", () => {
  const body = (betas: string[]) =>
    JSON.stringify({
      anthropic_version: "bedrock-2023-05-31",
      anthropic_beta: betas,
      max_tokens: 1,
      messages: [{ role: "user", content: "hi" }],
      context_management: { edits: [] },
    });
  const refused = validateInvokeBody(body([]), options);
  assertEquals(
    refused.ok ? "" : refused.message,
    "context_management: Extra inputs are not permitted",
  );
  assertEquals(validateInvokeBody(body(["context-management-2025-06-27"]), options).ok, true);
});

Deno.test("validateInvokeBody() refuses an empty messages list", () => {
  const refused = check({ ...valid, messages: [] });
  assertEquals(refused.ok ? "" : refused.message, "messages: at least one message is required");
});
