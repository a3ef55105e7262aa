/**
 * Long-context prices end to end: a Bedrock answer whose prompt (input,
 * cache-read and cache-write tokens) is past the model's `long_context`
 * threshold, through the model routes (real sockets, the real AWS SDK, the
 * Bedrock emulator reporting that usage), into the ledger entry, the admin
 * usage API, `ccgate_cost_usd_total` and the dollar budget; and the real
 * Claude Code's own `total_cost_usd` for such a request.
 */
import { claudeCodeSettings } from "@ccgate/installer";
import { textAnswer } from "@ccgate/emulators";
import { assert, assertEquals } from "../testing/assert.ts";
import { runClaudeCode } from "../testing/claude_code.ts";
import { getAs, postMessages, startGatewayStack } from "../testing/gateway_stack.ts";
import { assertLedgerCostIs, ledgerToday } from "../testing/ledger_today.ts";
import { dayOf } from "./ledger/ledger_entry.ts";
import { tokenFileHelper } from "../testing/token_file_helper.ts";

const SONNET = "claude-sonnet-4-5-20250929";
const SONNET_ID = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const USER = { sub: "00000000-0000-0000-0000-00000000a11c", roles: [], groups: [] };

/** Sonnet 4.5 with the 1M window as docs/policy.example.yaml prices it. */
const SONNET_1M_POLICY = `models:
  ${SONNET}:
    bedrock: ${SONNET_ID}
    price: { input: 3, output: 15, long_context: { above_tokens: 200000, input: 6, output: 22.5 } }
defaults:
  budgets:
    daily_usd: 100
`;

interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
  cache_creation?: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
}

/**
 * Dollars at Anthropic's list prices for Sonnet 4.5 with the 1M window, computed
 * here (not by the gateway's `costUsd`): past 200K prompt tokens, $6 / $22.50 and
 * the cache rates at their usual multiples of the input rate.
 */
function listPrice(u: Usage): number {
  const read = u.cache_read_input_tokens ?? 0;
  const written = u.cache_creation_input_tokens ?? 0;
  const long = u.input_tokens + read + written > 200_000;
  const input = long ? 6 : 3;
  const oneHour = u.cache_creation?.ephemeral_1h_input_tokens ?? 0;
  return (u.input_tokens * input + u.output_tokens * (long ? 22.5 : 15) + read * input * 0.1 +
    (written - oneHour) * input * 1.25 + oneHour * input * 2) / 1_000_000;
}

Deno.test("a prompt past the long-context threshold is charged at the long-context rates in the ledger, the admin usage API, the cost metric and the dollar budget", async () => {
  await using stack = await startGatewayStack({ policyYaml: SONNET_1M_POLICY });
  // What Claude Code's sonnet[1m] sends after a long session: most of the prompt cached.
  const reported: Usage[] = [
    {
      input_tokens: 10,
      output_tokens: 500,
      cache_read_input_tokens: 150_000,
      cache_creation_input_tokens: 60_000,
      cache_creation: { ephemeral_5m_input_tokens: 40_000, ephemeral_1h_input_tokens: 20_000 },
    },
    // Exactly 200,000 prompt tokens: the base rates.
    {
      input_tokens: 10,
      output_tokens: 500,
      cache_read_input_tokens: 150_000,
      cache_creation_input_tokens: 49_990,
    },
    { input_tokens: 250_000, output_tokens: 100 },
  ];
  for (const usage of reported) stack.emulator.enqueue(textAnswer("Done.", { usage }));
  for (const stream of [true, false]) {
    const res = await postMessages(stack.url, stack.token, {
      model: SONNET,
      stream,
      messages: [{ role: "user", content: "Go on." }],
    });
    assertEquals(res.status, 200);
    await res.text();
  }
  const native = await fetch(
    `${stack.url}/model/${encodeURIComponent(SONNET_ID)}/invoke-with-response-stream`,
    {
      method: "POST",
      headers: { authorization: `Bearer ${stack.token}`, "content-type": "application/json" },
      body: JSON.stringify({
        anthropic_version: "bedrock-2023-05-31",
        max_tokens: 64,
        messages: [{ role: "user", content: "Go on." }],
      }),
    },
  );
  assertEquals(native.status, 200);
  await native.arrayBuffer();

  const entries = await ledgerToday(stack);
  assertEquals(entries.length, 3);
  const ordered = [...entries].sort((a, b) => a.at.localeCompare(b.at));
  const expected = reported.map(listPrice);
  // $0.64131 (long), $0.2399925 (base), $1.50225 (long): at the base rates the first and the
  // last would have cost $0.32253 and $0.7515.
  assertEquals(expected.map((d) => Math.round(d * 1e6)), [641_310, 239_993, 1_502_250]);
  for (const [i, entry] of ordered.entries()) {
    assert(
      Math.abs(entry.costUsd! - expected[i]!) < 1e-12,
      `${entry.route}: ${entry.costUsd} ≠ ${expected[i]}`,
    );
  }
  const dollars = expected.reduce((a, b) => a + b, 0);
  const metric = stack.metrics.value("ccgate_cost_usd_total", { model: SONNET_ID });
  assert(Math.abs(metric - dollars) < 1e-12, `ccgate_cost_usd_total: ${metric} ≠ ${dollars}`);
  const budget = (await stack.policy!.describe(USER)).budgets[0]!;
  const micros = expected.reduce((n, d) => n + Math.ceil(d * 1_000_000), 0);
  assertEquals([budget.spent, budget.reserved], [micros / 1_000_000, 0]);

  const admin = await stack.issuer.mint({ claims: { roles: ["ccgate.admin"] } });
  const today = dayOf(new Date());
  const usage = await getAs(stack, admin, `/admin/api/usage?from=${today}&to=${today}`);
  assertEquals(usage.status, 200);
  const rows = usage.body.data as { costUsd: number; requests: number }[];
  assertEquals(rows.reduce((n, r) => n + r.requests, 0), 3);
  const total = rows.reduce((n, r) => n + r.costUsd, 0);
  assert(Math.abs(total - dollars) < 1e-9, `admin usage: ${total} ≠ ${dollars}`);
});

/**
 * Haiku 5.5 as Claude Code 2.1.332's price table has it (`haiku_55`): $0.10 / $0.50 per
 * million, and five times each rate past 100,000 prompt tokens (`long_prompt`).
 */
const HAIKU_55_POLICY = `models:
  claude-haiku-5-5:
    bedrock: us.anthropic.claude-haiku-5-5
    price:
      { input: 0.1, output: 0.5, cache_read: 0.01, cache_write: 0.125, cache_write_1h: 0.2,
        long_context: { above_tokens: 100000, input: 0.5, output: 2.5, cache_read: 0.05, cache_write: 0.625, cache_write_1h: 1 } }
`;

Deno.test("Claude Code on Haiku 5.5 past 100K prompt tokens: the ledger costs the request as Claude Code does, at five times the base rates", async () => {
  await using stack = await startGatewayStack({ policyYaml: HAIKU_55_POLICY });
  // The emulator reports a 120,000-token prompt for Claude Code's first request (no need to send
  // 120,000 tokens): past the threshold by 20,000.
  stack.emulator.enqueue(textAnswer("Hello.", {
    usage: { input_tokens: 20_000, output_tokens: 4, cache_read_input_tokens: 100_000 },
  }));
  await using helper = await tokenFileHelper(stack.token);
  const run = await runClaudeCode(
    "Say hello",
    claudeCodeSettings({ gatewayUrl: stack.url, apiKeyHelper: helper.command }),
    { extraArgs: ["--model", "claude-haiku-5-5", "--output-format", "json"] },
  );
  assertEquals(run.code, 0, `claude exited ${run.code}: ${run.stderr}`);
  const result = JSON.parse(run.stdout) as { total_cost_usd: number };

  const sent = stack.emulator.requests.filter((r) => r.operation !== null);
  assertEquals(stack.emulator.pending, 0, "Claude Code's request got the long answer");
  const entries = await ledgerToday(stack);
  assertEquals(entries.length, sent.length);
  const long = entries.find((e) => e.cacheReadTokens === 100_000)!;
  // Claude Code's table: 20,000 × $0.50 + 100,000 × $0.05 + 4 × $2.50 per million.
  assertEquals(Math.round(long.costUsd! * 1e9), 15_010_000);
  assertLedgerCostIs(entries, result.total_cost_usd);
});
