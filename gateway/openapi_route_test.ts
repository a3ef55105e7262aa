import { assert, assertEquals } from "../testing/assert.ts";
import { startGatewayStack } from "../testing/gateway_stack.ts";
import { countTokensRequestSchema } from "./anthropic_schemas.ts";
import { chatCompletionRequestSchema } from "./openai_schemas.ts";

Deno.test("GET /openapi.json documents every route with the schemas the handlers validate with", async () => {
  await using stack = await startGatewayStack();
  const res = await fetch(`${stack.url}/openapi.json`);
  assertEquals(res.status, 200);
  const doc = await res.json();
  assertEquals(doc.openapi, "3.1.0");
  for (
    const path of [
      "/v1/messages",
      "/v1/messages/count_tokens",
      "/v1/models",
      "/v1/models/{id}",
      "/claude-code/aliases",
      "/v1/chat/completions",
      "/inference-profiles",
      "/model/{modelId}/invoke",
      "/model/{modelId}/invoke-with-response-stream",
      "/model/{modelId}/count-tokens",
    ]
  ) assert(path in doc.paths, path);
  // The documented schema is the validating one: its required fields and enums come from zod.
  const chat = doc.components.schemas.ChatCompletionRequest;
  assertEquals(chat.required, ["model", "messages"]);
  assertEquals(Object.keys(chat.properties), Object.keys(chatCompletionRequestSchema.shape));
  const count = doc.components.schemas.CountTokensRequest;
  assertEquals(Object.keys(count.properties), Object.keys(countTokensRequestSchema.shape));
  assertEquals(doc.components.schemas.MessageParam.properties.role.enum, [
    "user",
    "assistant",
    "system",
  ]);
  // Every $ref resolves.
  const refs = JSON.stringify(doc).match(/"#\/components\/schemas\/[A-Za-z]+"/g) ?? [];
  for (const ref of refs) assert(JSON.parse(ref).split("/").at(-1) in doc.components.schemas, ref);
});

Deno.test("GET /docs is a self-contained page that renders /openapi.json", async () => {
  await using stack = await startGatewayStack();
  const res = await fetch(`${stack.url}/docs`);
  assertEquals(res.status, 200);
  assert(res.headers.get("content-type")!.startsWith("text/html"));
  const html = await res.text();
  assert(html.includes('fetch("/openapi.json")'));
  assert(!/(src|href)="https?:/.test(html) && !html.includes("//cdn"), "no external resources");
  assert(res.headers.get("content-security-policy")!.includes("default-src 'none'"));
});
