/**
 * `/v1/chat/completions` under a `max_tokens` limit, over a real socket in
 * front of the Bedrock emulator: the OpenAI API makes `max_tokens` optional,
 * so a request without one gets the model's maximum output lowered to the
 * user's limit, never a refusal; a value the client sent is still refused.
 */
import { textAnswer } from "@ccgate/emulators";
import { assertEquals } from "../../testing/assert.ts";
import { type GatewayStack, startGatewayStack } from "../../testing/gateway_stack.ts";
import { MAX_TOKENS_CAPPED_HEADER } from "./admit_request.ts";

const CATALOGUE = `models:
  claude-sonnet-4-5-20250929:
    bedrock: us.anthropic.claude-sonnet-4-5-20250929-v1:0
    price: { input: 3, output: 15 }
`;

function stackWith(rules: string): Promise<GatewayStack> {
  return startGatewayStack({ policyYaml: CATALOGUE + rules });
}

function chat(stack: GatewayStack, extra: Record<string, unknown>): Promise<Response> {
  return fetch(`${stack.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.token}`, "content-type": "application/json" },
    body: JSON.stringify({
      model: "claude-sonnet-4-5-20250929",
      messages: [{ role: "user", content: "Hi" }],
      ...extra,
    }),
  });
}

/** The `max_tokens` of the last body Bedrock received. */
function sentMaxTokens(stack: GatewayStack): number {
  return (stack.emulator.requests.at(-1)!.json as { max_tokens: number }).max_tokens;
}

for (const stream of [false, true]) {
  Deno.test(`chat completions (stream: ${stream}) without max_tokens get the user's lower limit, not a refusal`, async () => {
    await using stack = await stackWith(
      "defaults:\n  max_tokens: 1000\n  max_tokens_mode: refuse\n",
    );
    stack.emulator.enqueue(textAnswer("hello"));
    const response = await chat(stack, { stream });
    assertEquals(response.status, 200);
    assertEquals(response.headers.get(MAX_TOKENS_CAPPED_HEADER), "1000");
    await response.body?.cancel();
    assertEquals(sentMaxTokens(stack), 1000);
  });
}

Deno.test("chat completions with max_tokens over a refusing limit are still refused", async () => {
  await using stack = await stackWith("defaults:\n  max_tokens: 1000\n  max_tokens_mode: refuse\n");
  for (const key of ["max_tokens", "max_completion_tokens"]) {
    const response = await chat(stack, { [key]: 2000 });
    assertEquals(response.status, 400, key);
    await response.body?.cancel();
  }
  stack.emulator.enqueue(textAnswer("hello"));
  const within = await chat(stack, { max_tokens: 500 });
  assertEquals(within.status, 200);
  assertEquals(within.headers.get(MAX_TOKENS_CAPPED_HEADER), null);
  await within.body?.cancel();
  assertEquals(stack.emulator.requests.length, 1);
  assertEquals(sentMaxTokens(stack), 500);
});

Deno.test("chat completions without max_tokens keep the model's maximum under a higher limit", async () => {
  await using stack = await stackWith("defaults:\n  max_tokens: 100000\n");
  stack.emulator.enqueue(textAnswer("hello"));
  const response = await chat(stack, {});
  assertEquals(response.status, 200);
  assertEquals(response.headers.get(MAX_TOKENS_CAPPED_HEADER), null);
  await response.body?.cancel();
  assertEquals(sentMaxTokens(stack), 64_000, "Sonnet 4.5's maximum output");
});
