/**
 * Failover under a policy, over real sockets in front of the Bedrock
 * emulator: after admission, every region × model id the gateway fails over
 * to must be one the admitted catalogue entry lists (data residency), and
 * the ledger records the id and region that answered. Without a policy the
 * configuration alone decides.
 */
import { errorScript, textAnswer } from "@ccgate/emulators";
import { assertEquals } from "../testing/assert.ts";
import {
  type GatewayStack,
  postInvoke,
  postMessages,
  startGatewayStack,
} from "../testing/gateway_stack.ts";
import type { LedgerEntry } from "./ledger/ledger_entry.ts";
import { ENTRY_PREFIX } from "./ledger/roll_up_entry.ts";

const BASE = "anthropic.claude-sonnet-4-5-20250929-v1:0";
const EU = `eu.${BASE}`;
const US = `us.${BASE}`;
const GLOBAL = `global.${BASE}`;

/** A gateway with `policy` (YAML text), regions us-east-1 then `regions`, two attempts, no backoff. */
function stackWith(
  policy: string,
  regions: string[],
  env: Record<string, string> = {},
): Promise<GatewayStack> {
  return startGatewayStack({
    policyYaml: policy,
    regions: regions.map((region) => ({ region })),
    env: { CCGATE_RETRY_MAX_ATTEMPTS: "4", CCGATE_RETRY_BASE_MS: "0", ...env },
  });
}

/** Every (region, model id) the emulators were called with, in order per region. */
function invoked(stack: GatewayStack, regions: string[]): string[] {
  return stack.emulators.flatMap((e, i) => e.requests.map((r) => `${regions[i]} ${r.modelId}`));
}

async function ledgerEntries(stack: GatewayStack): Promise<LedgerEntry[]> {
  await stack.ledger.flush();
  const entries = await Array.fromAsync(stack.kv.list<LedgerEntry>({ prefix: ENTRY_PREFIX }));
  return entries.map((e) => e.value);
}

const EU_ONLY = `models:\n  sonnet:\n    bedrock: ${EU}\n    price: { input: 3, output: 15 }\n`;

Deno.test("failover under a policy: an EU-only entry never fails over to the global profile; the throttle stands", async () => {
  await using stack = await stackWith(EU_ONLY, [], {
    CCGATE_FAILOVER_PROFILES: "global",
    CCGATE_RETRY_MAX_ATTEMPTS: "2",
  });
  stack.emulator.enqueue(errorScript("ThrottlingException"), errorScript("ThrottlingException"));
  const response = await postMessages(stack.url, stack.token, { model: "sonnet" });
  assertEquals(response.status, 429);
  assertEquals((await response.json()).error.type, "rate_limit_error");
  // The second attempt retries the EU profile (the only upstream left), never global.
  assertEquals(invoked(stack, ["us-east-1"]), [`us-east-1 ${EU}`, `us-east-1 ${EU}`]);
  assertEquals(stack.logs.filter((r) => r.msg === "bedrock failover").length, 0);
});

Deno.test("failover under a policy: a user also allowed a global entry is not failed over to global under the EU name", async () => {
  await using stack = await stackWith(
    `${EU_ONLY}  sonnet-global:\n    bedrock: ${GLOBAL}\n    price: { input: 3, output: 15 }\n`,
    [],
    { CCGATE_FAILOVER_PROFILES: "global", CCGATE_RETRY_MAX_ATTEMPTS: "2" },
  );
  stack.emulator.enqueue(errorScript("ThrottlingException"), errorScript("ThrottlingException"));
  const response = await postMessages(stack.url, stack.token, { model: "sonnet" });
  assertEquals(response.status, 429);
  await response.body?.cancel();
  assertEquals(invoked(stack, ["us-east-1"]), [`us-east-1 ${EU}`, `us-east-1 ${EU}`]);
  const global = await postMessages(stack.url, stack.token, { model: "sonnet-global" });
  assertEquals(global.status, 200, "the global entry itself is served");
  await global.body?.cancel();
  assertEquals(invoked(stack, ["us-east-1"]).at(-1), `us-east-1 ${GLOBAL}`);
});

Deno.test("failover without a policy: the configured global profile is tried, and the ledger names it", async () => {
  await using stack = await startGatewayStack({
    env: {
      CCGATE_FAILOVER_PROFILES: "global",
      CCGATE_RETRY_MAX_ATTEMPTS: "2",
      CCGATE_RETRY_BASE_MS: "0",
    },
  });
  stack.emulator.enqueue(errorScript("ThrottlingException"), textAnswer("from global"));
  const response = await postMessages(stack.url, stack.token, { model: US, stream: true });
  assertEquals(response.status, 200);
  await response.text();
  assertEquals(invoked(stack, ["us-east-1"]), [`us-east-1 ${US}`, `us-east-1 ${GLOBAL}`]);
  const [entry] = await ledgerEntries(stack);
  assertEquals([entry!.model, entry!.bedrockModel, entry!.region], [US, GLOBAL, "us-east-1"]);
});

Deno.test("failover under a policy: a single-id entry fails over to the next region with the same id, not to global", async () => {
  const regions = ["us-east-1", "eu-west-1"];
  await using stack = await stackWith(EU_ONLY, regions.slice(1), {
    CCGATE_FAILOVER_PROFILES: "global",
    CCGATE_RETRY_MAX_ATTEMPTS: "3",
  });
  const [first, second] = stack.emulators;
  first!.enqueue(errorScript("ThrottlingException"), errorScript("ThrottlingException"));
  second!.enqueue(errorScript("ThrottlingException"), textAnswer("global, second region"));
  const response = await postMessages(stack.url, stack.token, { model: "sonnet", stream: true });
  assertEquals(response.status, 429);
  await response.body?.cancel();
  // The third attempt goes back to the first region's EU profile, not to global.
  assertEquals(invoked(stack, regions), [
    `us-east-1 ${EU}`,
    `us-east-1 ${EU}`,
    `eu-west-1 ${EU}`,
  ]);
});

const PER_REGION = `models:
  sonnet:
    bedrock:
      us-east-1: ${US}
      eu-west-1: ${EU}
    price: { input: 3, output: 15 }
`;

Deno.test("failover under a policy: a region the per-region entry does not list is skipped", async () => {
  const regions = ["us-east-1", "eu-west-1", "ap-southeast-2"];
  await using stack = await stackWith(PER_REGION, regions.slice(1), {
    CCGATE_RETRY_MAX_ATTEMPTS: "3",
  });
  const [east, west, sydney] = stack.emulators;
  east!.enqueue(errorScript("ThrottlingException"), errorScript("ThrottlingException"));
  west!.enqueue(errorScript("ThrottlingException"));
  sydney!.enqueue(textAnswer("from Sydney"));
  const response = await postMessages(stack.url, stack.token, { model: "sonnet" });
  assertEquals(response.status, 429);
  await response.body?.cancel();
  // The third attempt goes back to the first region, never to ap-southeast-2.
  assertEquals(invoked(stack, regions), [`us-east-1 ${US}`, `us-east-1 ${US}`, `eu-west-1 ${EU}`]);
  const failed = stack.logs.filter((r) => r.msg === "bedrock attempt failed");
  assertEquals(failed.map((r) => r.region), ["us-east-1", "eu-west-1", "us-east-1"]);
});

Deno.test("failover under a policy: the ledger records the regional id and region that answered", async () => {
  const regions = ["us-east-1", "eu-west-1"];
  await using stack = await stackWith(PER_REGION, regions.slice(1));
  stack.emulators[0]!.enqueue(errorScript("ServiceUnavailableException"));
  stack.emulators[1]!.enqueue(textAnswer("from Ireland"));
  const response = await postMessages(stack.url, stack.token, { model: "sonnet", stream: true });
  assertEquals(response.status, 200);
  await response.text();
  assertEquals(invoked(stack, regions), [`us-east-1 ${US}`, `eu-west-1 ${EU}`]);
  const [entry] = await ledgerEntries(stack);
  assertEquals([entry!.model, entry!.bedrockModel, entry!.region], ["sonnet", EU, "eu-west-1"]);
});

Deno.test("failover under a policy: another entry's regional id is not invoked for a user it does not allow", async () => {
  const regions = ["us-east-1", "eu-west-1"];
  await using stack = await stackWith(
    `models:
  sonnet-eu:
    bedrock: ${EU}
    price: { input: 3, output: 15 }
  sonnet-any:
    bedrock:
      us-east-1: ${US}
      eu-west-1: ${EU}
    price: { input: 3, output: 15 }
defaults:
  models: [sonnet-eu]
`,
    regions.slice(1),
  );
  stack.emulators[1]!.enqueue(textAnswer("from Ireland"));
  const response = await postMessages(stack.url, stack.token, { model: "sonnet-eu" });
  assertEquals(response.status, 200);
  await response.body?.cancel();
  assertEquals(invoked(stack, regions), [`eu-west-1 ${EU}`]);
});

Deno.test("failover under a policy: an id its entry lists in no configured region is refused before any call", async () => {
  await using stack = await stackWith(
    `models:\n  sonnet:\n    bedrock:\n      eu-west-1: ${EU}\n    price: { input: 3, output: 15 }\n`,
    [],
  );
  const response = await postMessages(stack.url, stack.token, { model: EU });
  assertEquals(response.status, 404);
  assertEquals((await response.json()).error.type, "not_found_error");
  assertEquals(invoked(stack, ["us-east-1"]), []);
  const [entry] = await ledgerEntries(stack);
  assertEquals([entry!.status, entry!.errorType, entry!.inputTokens], [
    404,
    "model_not_allowed",
    0,
  ]);
});

Deno.test("failover under a policy: on the Bedrock-native route an id listed in no configured region is ResourceNotFoundException", async () => {
  await using stack = await stackWith(
    `models:\n  sonnet:\n    bedrock:\n      eu-west-1: ${EU}\n    price: { input: 3, output: 15 }\n`,
    [],
  );
  const response = await postInvoke(stack, EU);
  assertEquals(response.status, 404);
  assertEquals(
    response.headers.get("x-amzn-errortype")?.split(":")[0],
    "ResourceNotFoundException",
  );
  await response.body?.cancel();
  assertEquals(invoked(stack, ["us-east-1"]), []);
});
