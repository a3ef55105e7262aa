import { assertEquals } from "../../testing/assert.ts";
import { compilePolicy } from "./compile_policy.ts";
import { parsePolicy } from "./parse_policy.ts";

const EU_SONNET = "eu.anthropic.claude-sonnet-4-6";

function compiled(yaml: string) {
  return compilePolicy(parsePolicy(yaml, "policy.yaml"));
}

Deno.test("compilePolicy().modelOf() matches only the ids the catalogue lists, not other profiles of the model", () => {
  const policy = compiled(
    `models:\n  sonnet:\n    bedrock: ${EU_SONNET}\n    price: { input: 3, output: 15 }\n`,
  );
  assertEquals(policy.modelOf(EU_SONNET)?.names, ["sonnet"]);
  for (const other of ["global.", "us.", "apac.", "jp.", "au.", ""]) {
    const id = `${other}anthropic.claude-sonnet-4-6`;
    assertEquals(policy.modelOf(id), undefined, id);
  }
});

Deno.test("compilePolicy().priceOf() prices another profile of a listed model for costs, unlike modelOf()", () => {
  const policy = compiled(
    `models:\n  sonnet:\n    bedrock: ${EU_SONNET}\n    price: { input: 3, output: 15 }\n`,
  );
  const price = {
    input: 3,
    output: 15,
    cacheRead: 3 * 0.1,
    cacheWrite: 3 * 1.25,
    cacheWrite1h: 3 * 2,
  };
  assertEquals(policy.priceOf(EU_SONNET), price);
  assertEquals(policy.priceOf("global.anthropic.claude-sonnet-4-6"), price);
  assertEquals(policy.priceOf("anthropic.claude-opus-4-8"), undefined);
});

Deno.test("compilePolicy().modelOf() names every catalogue entry listing an id", () => {
  const policy = compiled(`models:
  sonnet:
    bedrock: ${EU_SONNET}
    price: { input: 3, output: 15 }
  sonnet-eu-team:
    bedrock: { eu-west-1: ${EU_SONNET}, eu-central-1: ${EU_SONNET} }
    price: { input: 3, output: 15 }
`);
  assertEquals(policy.modelOf(EU_SONNET)?.names, ["sonnet", "sonnet-eu-team"]);
  assertEquals(policy.aliases("eu-west-1"), { sonnet: EU_SONNET, "sonnet-eu-team": EU_SONNET });
});
