/**
 * How requests match the policy's model catalogue, through the gateway's
 * routes over a real socket, in front of the Bedrock emulator: only the ids
 * the catalogue lists pass (data residency), and an id listed under several
 * names is allowed by any of them.
 */
import { assertEquals, assertStringIncludes } from "../../testing/assert.ts";
import {
  type GatewayStack,
  postInvoke,
  postMessages,
  startGatewayStack,
} from "../../testing/gateway_stack.ts";

const EU_SONNET = "eu.anthropic.claude-sonnet-4-5-20250929-v1:0";

function stackWith(policy: string): Promise<GatewayStack> {
  return startGatewayStack({ policyYaml: policy });
}

Deno.test("policy: a catalogue listing only the EU profile refuses the global, US and APAC profiles of the model", async () => {
  await using stack = await stackWith(
    `models:\n  sonnet:\n    bedrock: ${EU_SONNET}\n    price: { input: 3, output: 15 }\n`,
  );
  for (const prefix of ["global.", "us.", "apac.", ""]) {
    const model = `${prefix}anthropic.claude-sonnet-4-5-20250929-v1:0`;
    const messages = await postMessages(stack.url, stack.token, { model });
    assertEquals(messages.status, 404, model);
    const body = await messages.json();
    assertEquals(body.error.type, "not_found_error");
    assertStringIncludes(body.error.message, "not in the gateway policy's model catalogue");
  }
  assertEquals(stack.emulator.requests.length, 0, "nothing reached Bedrock");
  const listed = await postMessages(stack.url, stack.token, { model: EU_SONNET });
  assertEquals(listed.status, 200);
  await listed.body?.cancel();
  const byName = await postMessages(stack.url, stack.token, { model: "sonnet" });
  assertEquals(byName.status, 200);
  await byName.body?.cancel();
  assertEquals(stack.emulator.requests.map((r) => r.modelId), [EU_SONNET, EU_SONNET]);
});

Deno.test("policy: a Bedrock-native call for another profile of a catalogue model invokes the catalogue's id", async () => {
  await using stack = await stackWith(
    `models:\n  sonnet:\n    bedrock: ${EU_SONNET}\n    price: { input: 3, output: 15 }\n`,
  );
  for (const prefix of ["global.", "us.", "apac."]) {
    const native = await postInvoke(stack, `${prefix}anthropic.claude-sonnet-4-5-20250929-v1:0`);
    assertEquals(native.status, 200, prefix);
    await native.body?.cancel();
  }
  assertEquals(stack.emulator.requests.map((r) => r.modelId), [EU_SONNET, EU_SONNET, EU_SONNET]);
  const opus = await postInvoke(stack, "global.anthropic.claude-opus-4-8");
  assertEquals(opus.status, 404);
  assertEquals(opus.headers.get("x-amzn-errortype")?.split(":")[0], "ResourceNotFoundException");
  await opus.body?.cancel();
});

Deno.test("policy: a group allowed only the second catalogue name of a shared id is served", async () => {
  await using stack = await stackWith(`models:
  sonnet:
    bedrock: ${EU_SONNET}
    price: { input: 3, output: 15 }
  sonnet-eu-team:
    bedrock: ${EU_SONNET}
    price: { input: 3, output: 15 }
defaults:
  models: []
groups:
  eu-team:
    models: [sonnet-eu-team]
`);
  const team = await stack.issuer.mint({ claims: { groups: ["eu-team"] } });
  const served = await postMessages(stack.url, team, { model: "sonnet-eu-team" });
  assertEquals(served.status, 200);
  await served.body?.cancel();
  assertEquals(stack.emulator.requests.at(-1)!.modelId, EU_SONNET);
  const outsider = await postMessages(stack.url, stack.token, { model: "sonnet-eu-team" });
  assertEquals(outsider.status, 404);
  await outsider.body?.cancel();
});
