import { assertEquals } from "../../testing/assert.ts";
import { parsePolicy } from "./parse_policy.ts";
import { upstreamScope } from "./upstream_scope.ts";

const BASE = "anthropic.claude-sonnet-4-6";
const US = `us.${BASE}`;
const EU = `eu.${BASE}`;
const GLOBAL = `global.${BASE}`;

const DOCUMENT = parsePolicy(
  `models:
  sonnet-eu:
    bedrock: ${EU}
    price: { input: 3, output: 15 }
  sonnet:
    bedrock: { us-east-1: ${US}, eu-west-1: ${EU} }
    price: { input: 3, output: 15 }
`,
  "policy.yaml",
);

/** What a scope answers for each region × id, as `region id` lines it allows. */
function allowed(scope: (region: string, id: string) => boolean): string[] {
  const out: string[] = [];
  for (const region of ["us-east-1", "eu-west-1", "ap-southeast-2"]) {
    for (const id of [US, EU, GLOBAL, BASE]) if (scope(region, id)) out.push(`${region} ${id}`);
  }
  return out;
}

Deno.test("upstreamScope() allows a single-id entry's id in every region, no other profile", () => {
  assertEquals(allowed(upstreamScope(DOCUMENT, ["sonnet-eu"])), [
    `us-east-1 ${EU}`,
    `eu-west-1 ${EU}`,
    `ap-southeast-2 ${EU}`,
  ]);
});

Deno.test("upstreamScope() allows a per-region entry's ids only in their own regions", () => {
  assertEquals(allowed(upstreamScope(DOCUMENT, ["sonnet"])), [
    `us-east-1 ${US}`,
    `eu-west-1 ${EU}`,
  ]);
});

Deno.test("upstreamScope() adds up the entries that admitted the request, and nothing for none", () => {
  assertEquals(allowed(upstreamScope(DOCUMENT, ["sonnet-eu", "sonnet"])), [
    `us-east-1 ${US}`,
    `us-east-1 ${EU}`,
    `eu-west-1 ${EU}`,
    `ap-southeast-2 ${EU}`,
  ]);
  assertEquals(allowed(upstreamScope(DOCUMENT, [])), []);
  assertEquals(allowed(upstreamScope(DOCUMENT, ["toString"])), []);
});

Deno.test("upstreamScope() is built once per document and names", () => {
  const scope = upstreamScope(DOCUMENT, ["sonnet"]);
  assertEquals(upstreamScope(DOCUMENT, ["sonnet"]) === scope, true);
  const reloaded = parsePolicy(
    `models:\n  sonnet:\n    bedrock: ${GLOBAL}\n    price: { input: 3, output: 15 }\n`,
    "policy.yaml",
  );
  assertEquals(allowed(upstreamScope(reloaded, ["sonnet"])).length, 3);
});
