import { assertEquals } from "../testing/assert.ts";
import { getAs, startGatewayStack } from "../testing/gateway_stack.ts";

const EXAMPLE_POLICY = new URL("../docs/policy.example.yaml", import.meta.url).pathname;

Deno.test("GET /claude-code/aliases gives each alias the newest model the example policy lets the user use", async () => {
  await using stack = await startGatewayStack({ policy: EXAMPLE_POLICY });
  const answer = await getAs(stack, stack.token, "/claude-code/aliases");
  assertEquals(answer.status, 200);
  // Fable is in no catalogue entry of the example policy: Claude Code keeps its own `fable`.
  assertEquals(answer.body, {
    aliases: {
      opus: { model: "claude-opus-5-5", bedrock: "us.anthropic.claude-opus-5-5" },
      sonnet: { model: "claude-sonnet-5-5", bedrock: "us.anthropic.claude-sonnet-5-5" },
      haiku: { model: "claude-haiku-5-5", bedrock: "us.anthropic.claude-haiku-5-5" },
    },
  });
  assertEquals(stack.emulator.requests.length, 0, "answering never calls Bedrock");
});

Deno.test("GET /claude-code/aliases follows the user's own allowed models", async () => {
  await using stack = await startGatewayStack({
    policyYaml: `version: 1
models:
  claude-sonnet-5-5:
    bedrock: eu.anthropic.claude-sonnet-5-5
    price: { input: 2, output: 10 }
  claude-sonnet-4-5:
    bedrock: eu.anthropic.claude-sonnet-4-5-20250929-v1:0
    price: { input: 3, output: 15 }
defaults:
  models: [claude-sonnet-4-5]
groups:
  early:
    models: ["*"]
`,
  });
  const everyone = await getAs(stack, stack.token, "/claude-code/aliases");
  assertEquals(everyone.body, {
    aliases: {
      sonnet: {
        model: "claude-sonnet-4-5",
        bedrock: "eu.anthropic.claude-sonnet-4-5-20250929-v1:0",
      },
    },
  });
  const early = await stack.issuer.mint({ claims: { groups: ["early"] } });
  assertEquals((await getAs(stack, early, "/claude-code/aliases")).body, {
    aliases: { sonnet: { model: "claude-sonnet-5-5", bedrock: "eu.anthropic.claude-sonnet-5-5" } },
  });
});

Deno.test("GET /claude-code/aliases follows the deployment's geography and wants a token", async () => {
  await using stack = await startGatewayStack({ env: { CCGATE_MODEL_PREFIX: "eu" } });
  const answer = await getAs(stack, stack.token, "/claude-code/aliases");
  assertEquals(answer.body, {
    aliases: {
      opus: { model: "claude-opus-5-5", bedrock: "eu.anthropic.claude-opus-5-5" },
      sonnet: { model: "claude-sonnet-5-5", bedrock: "eu.anthropic.claude-sonnet-5-5" },
      haiku: { model: "claude-haiku-5-5", bedrock: "eu.anthropic.claude-haiku-5-5" },
    },
  });
  const anonymous = await fetch(`${stack.url}/claude-code/aliases`);
  assertEquals(anonymous.status, 401);
  assertEquals((await anonymous.json()).error.type, "authentication_error");
});
