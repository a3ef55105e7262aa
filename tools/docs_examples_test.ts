/**
 * Examples in the documents are valid for the code they describe.
 */
import { assert, assertEquals } from "../testing/assert.ts";
import { parsePolicy } from "../gateway/policy/parse_policy.ts";

const admins = await Deno.readTextFile(new URL("../docs/admins.md", import.meta.url));

/** The fenced blocks of a language in a Markdown section (from its heading to the next `## `). */
function blocks(markdown: string, heading: string, lang: string): string[] {
  const start = markdown.indexOf(`\n## ${heading}`);
  assert(start >= 0, `no section "${heading}"`);
  const end = markdown.indexOf("\n## ", start + 1);
  const section = markdown.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) =>
    m[1]!
  );
}

Deno.test("the policy file example in docs/admins.md is a valid policy", () => {
  const [example] = blocks(admins, "4. Who may use which models", "yaml");
  assert(example, "the section has a yaml block");
  const policy = parsePolicy(example, "docs/admins.md");
  assertEquals(Object.keys(policy.models), ["sonnet"]);
  assertEquals(policy.defaults?.models, ["sonnet"]);
});

Deno.test("the IAM policy in docs/admins.md is JSON that allows the Bedrock calls ccgate makes", () => {
  const [example] = blocks(admins, "2. Let ccgate call Bedrock", "json");
  assert(example, "the section has a json block");
  const actions: string[] = JSON.parse(example).Statement[0].Action;
  for (const action of ["InvokeModel", "InvokeModelWithResponseStream", "CountTokens"]) {
    assert(actions.includes(`bedrock:${action}`), action);
  }
});
