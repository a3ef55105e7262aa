/**
 * The models a refusal lists, through the gateway's routes over a real
 * socket: only those this user may use, the same as `/v1/models` shows them.
 */
import { assertEquals } from "../../testing/assert.ts";
import { type GatewayStack, startGatewayStack } from "../../testing/gateway_stack.ts";
import { HAIKU, SONNET, TWO_MODEL_CATALOGUE } from "../../testing/two_model_catalogue.ts";

const POLICY = `${TWO_MODEL_CATALOGUE}defaults:
  models: [${HAIKU}]
`;

function post(stack: GatewayStack, path: string, body: Record<string, unknown>) {
  return fetch(`${stack.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

Deno.test("model routes list only the user's allowed models when a model is not found or not allowed", async () => {
  await using stack = await startGatewayStack({ policyYaml: POLICY });
  const models = await fetch(`${stack.url}/v1/models?limit=100`, {
    headers: { authorization: `Bearer ${stack.token}` },
  });
  const visible = (await models.json()).data.map((m: { id: string }) => m.id);
  // The table's claude-haiku-4-5 is the same model under the same display name: listed once.
  assertEquals(visible, [HAIKU]);
  const available = `Available models: ${visible.join(", ")}`;
  const messages = [{ role: "user", content: "Hi" }];

  const unknown = { model: "gpt-4o", max_tokens: 32, messages };
  for (const route of ["/v1/messages", "/v1/messages/count_tokens", "/v1/chat/completions"]) {
    const response = await post(stack, route, unknown);
    assertEquals(response.status, 404, route);
    const { error } = await response.json();
    assertEquals(error.message, `Model "gpt-4o" not found. ${available}`, route);
  }
  const native = await post(stack, "/model/gpt-4o/invoke", {
    anthropic_version: "bedrock-2023-05-31",
    max_tokens: 32,
    messages,
  });
  assertEquals(native.status, 404);
  assertEquals((await native.json()).message, `Model "gpt-4o" not found. ${available}`);

  const refused = await post(stack, "/v1/messages", { model: SONNET, max_tokens: 32, messages });
  assertEquals(refused.status, 404);
  assertEquals(
    (await refused.json()).error.message,
    `Model "${SONNET}" is not allowed for you (rule: defaults.models; allowed: ${HAIKU})`,
  );
  assertEquals(stack.emulator.requests.length, 0);
});
