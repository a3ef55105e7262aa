import { assertEquals, assertStringIncludes } from "../testing/assert.ts";
import { startGatewayStack } from "../testing/gateway_stack.ts";

Deno.test("a known path with the wrong method is a 405 with Allow, in the path's error shape (Bedrock's: 400)", async () => {
  await using stack = await startGatewayStack();
  const auth = { authorization: `Bearer ${stack.token}` };

  const messages = await fetch(`${stack.url}/v1/messages`, { headers: auth });
  assertEquals([messages.status, messages.headers.get("allow")], [405, "POST"]);
  const anthropic = await messages.json();
  assertEquals(anthropic.error.type, "invalid_request_error");
  assertStringIncludes(anthropic.error.message, 'Cannot GET "/v1/messages": it answers POST');

  const chat = await fetch(`${stack.url}/v1/chat/completions`, { method: "PUT", headers: auth });
  assertEquals([chat.status, chat.headers.get("allow")], [405, "POST"]);
  assertEquals((await chat.json()).error.code, null, "no model_not_found for a method");

  const models = await fetch(`${stack.url}/v1/models`, { method: "POST", headers: auth });
  assertEquals([models.status, models.headers.get("allow")], [405, "GET, HEAD"]);
  await models.body?.cancel();

  // Bedrock's shape maps the status to its exception's, as the AWS SDK reads it.
  const native = await fetch(`${stack.url}/model/x/invoke`, { headers: auth });
  assertEquals([native.status, native.headers.get("allow")], [400, "POST"]);
  assertEquals(native.headers.get("x-amzn-errortype"), "ValidationException");
  assertEquals(Object.keys(await native.json()), ["message"]);
});
