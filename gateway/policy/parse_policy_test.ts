import { assertEquals, assertThrows } from "../../testing/assert.ts";
import { PolicyFileError } from "../errors.ts";
import { parsePolicy } from "./parse_policy.ts";

const EXAMPLE = new URL("../../docs/policy.example.yaml", import.meta.url);

function errorOf(text: string): string {
  return assertThrows(() => parsePolicy(text, "policy.yaml"), PolicyFileError).message;
}

Deno.test("parsePolicy() accepts the shipped example policy", async () => {
  const policy = parsePolicy(await Deno.readTextFile(EXAMPLE), "policy.example.yaml");
  assertEquals(Object.keys(policy.models), [
    "claude-opus-5-5",
    "claude-sonnet-5-5",
    "claude-haiku-5-5",
    "claude-opus-4-8",
    "claude-sonnet-4-5-20250929",
    "claude-haiku-4-5-20251001",
  ]);
  assertEquals(policy.defaults?.budgets?.daily_usd, 25);
  assertEquals(policy.roles?.["ccgate.admin"]?.budgets?.daily_usd, null);
  assertEquals(policy.groups?.["platform-engineering"]?.pool?.concurrent_streams, 200);
});

Deno.test("parsePolicy() reads JSON as well as YAML", () => {
  const policy = parsePolicy(
    JSON.stringify({
      models: {
        m: {
          bedrock: "us.anthropic.claude-haiku-4-5-20251001-v1:0",
          price: { input: 1, output: 5 },
        },
      },
      defaults: { requests_per_minute: 5 },
    }),
    "policy.json",
  );
  assertEquals(policy.defaults?.requests_per_minute, 5);
});

const BASE = `models:
  sonnet:
    bedrock: us.anthropic.claude-sonnet-4-6
    price: { input: 3, output: 15 }
`;

Deno.test("parsePolicy() names the key path of a value of the wrong type", () => {
  assertEquals(
    errorOf(`${BASE}groups:\n  eng:\n    budgets:\n      daily_usd: lots\n`),
    "policy.yaml: groups.eng.budgets.daily_usd: Expected number, received string",
  );
});

Deno.test("parsePolicy() names an unknown key instead of ignoring it", () => {
  assertEquals(
    errorOf(`${BASE}defaults:\n  budgets:\n    daily_dollars: 5\n`),
    "policy.yaml: defaults.budgets.daily_dollars: Unknown key",
  );
});

Deno.test("parsePolicy() quotes keys that are not identifiers and names array indexes", () => {
  assertEquals(
    errorOf(`${BASE}roles:\n  ccgate.admin:\n    models: [sonnet, opus]\n`),
    'policy.yaml: roles["ccgate.admin"].models[1]: Unknown model "opus" (not in models)',
  );
});

Deno.test("parsePolicy() rejects out-of-range limits, bad regions and missing prices", () => {
  assertEquals(
    errorOf(`${BASE}defaults:\n  requests_per_minute: 0\n`),
    "policy.yaml: defaults.requests_per_minute: Too small: expected number to be >0",
  );
  assertEquals(
    errorOf(`models:\n  m:\n    bedrock: { virginia: x }\n    price: { input: 1, output: 1 }\n`),
    "policy.yaml: models.m.bedrock: Expected a model id, or an object of region: model id",
  );
  assertEquals(
    errorOf(`models:\n  m:\n    bedrock: x\n`),
    "policy.yaml: models.m.price: Expected object, received undefined",
  );
  assertEquals(
    errorOf(`${BASE}defaults:\n  max_tokens_mode: trim\n`),
    'policy.yaml: defaults.max_tokens_mode: Invalid option: expected one of "cap"|"refuse"',
  );
});

Deno.test("parsePolicy() needs a model catalogue", () => {
  assertEquals(errorOf(""), "policy.yaml: models: Expected record, received undefined");
  assertEquals(errorOf("models: {}\n"), "policy.yaml: models: Expected at least one model");
});

Deno.test("parsePolicy() reports YAML syntax errors and duplicate keys with the file name", () => {
  const message = errorOf(`${BASE}defaults: [unclosed\n`);
  assertEquals(message.startsWith("policy.yaml: Cannot parse the file: "), true, message);
  const duplicate = errorOf(`${BASE}defaults: {}\ndefaults: {}\n`);
  assertEquals(duplicate.startsWith("policy.yaml: Cannot parse the file: "), true, duplicate);
});

Deno.test("parsePolicy() refuses catalogue entries that list the same Bedrock id at different prices", () => {
  assertEquals(
    errorOf(
      `${BASE}  sonnet-eu-team:\n    bedrock: us.anthropic.claude-sonnet-4-6\n    price: { input: 3, output: 15, cache_read: 0.5 }\n`,
    ),
    'policy.yaml: models["sonnet-eu-team"].price: Differs from models.sonnet.price, which lists the same Bedrock id "us.anthropic.claude-sonnet-4-6"',
  );
  const same = parsePolicy(
    `${BASE}  sonnet-eu-team:\n    bedrock: us.anthropic.claude-sonnet-4-6\n    price: { input: 3, output: 15, cache_read: 0.3 }\n`,
    "policy.yaml",
  );
  assertEquals(Object.keys(same.models), ["sonnet", "sonnet-eu-team"]);
});

Deno.test("parsePolicy() compares a shared id's 1-hour cache-write rate with its default, input x 2", () => {
  const entry = (price: string) =>
    `${BASE}  sonnet-eu-team:\n    bedrock: us.anthropic.claude-sonnet-4-6\n    price: ${price}\n`;
  assertEquals(
    errorOf(entry("{ input: 3, output: 15, cache_write_1h: 7 }")),
    'policy.yaml: models["sonnet-eu-team"].price: Differs from models.sonnet.price, which lists the same Bedrock id "us.anthropic.claude-sonnet-4-6"',
  );
  const same = parsePolicy(entry("{ input: 3, output: 15, cache_write_1h: 6 }"), "policy.yaml");
  assertEquals(same.models["sonnet-eu-team"]!.price.cache_write_1h, 6);
  assertEquals(
    errorOf(entry("{ input: 3, output: 15, cache_write_1h: -1 }")).includes("cache_write_1h"),
    true,
  );
});

Deno.test("parsePolicy() refuses catalogue entries that give a shared id different ids in one region", () => {
  const entry = (name: string, eu: string) =>
    `  ${name}:\n    bedrock: { us-east-1: us.anthropic.claude-sonnet-4-6, eu-west-1: ${eu} }\n    price: { input: 3, output: 15 }\n`;
  assertEquals(
    errorOf(
      "models:\n" + entry("a", "eu.anthropic.claude-sonnet-4-6") +
        entry("b", "global.anthropic.claude-sonnet-4-6"),
    ),
    'policy.yaml: models.b.bedrock["eu-west-1"]: Differs from models.a.bedrock["eu-west-1"], which lists the same Bedrock id "us.anthropic.claude-sonnet-4-6"',
  );
});
