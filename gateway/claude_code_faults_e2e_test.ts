/**
 * Upstream faults as the real Claude Code meets them: Bedrock (the emulator)
 * misbehaves behind the gateway while `claude -p` runs, and the tests check
 * what Claude Code printed and exited, what Bedrock received and what the
 * ledger holds. Claude Code's retries are capped with
 * `CLAUDE_CODE_MAX_RETRIES`; its backoff between them is real time (under a
 * second each, except where it waits out a `retry-after`). No outcome depends
 * on timing: a hung region never answers, so a short first-byte timeout is
 * the only way out of it.
 */
import {
  answerScript,
  type BedrockScript,
  errorScript,
  hangScript,
  textAnswer,
} from "@ccgate/emulators";
import { claudeCodeBedrockSettings, claudeCodeSettings } from "@ccgate/installer";
import { assert, assertEquals, assertStringIncludes } from "../testing/assert.ts";
import { type ClaudeRun, runClaudeCode } from "../testing/claude_code.ts";
import { type GatewayStack, startGatewayStack } from "../testing/gateway_stack.ts";
import type { LedgerEntry } from "./ledger/ledger_entry.ts";
import { ledgerToday } from "../testing/ledger_today.ts";
import { tokenFileHelper } from "../testing/token_file_helper.ts";

const ANSWER = "Answer after the fault.";
const answer = () => textAnswer(["Answer ", "after ", "the fault."]);
/** message_start, content_block_start, four deltas, content_block_stop, message_delta, message_stop. */
const PARTIAL = textAnswer(["one ", "two ", "three ", "four"]);
const MODEL = "us.anthropic.claude-opus-5-5";

/** What one `claude -p` run through a faulty upstream left behind. */
interface FaultRun {
  run: ClaudeRun;
  /** stdout and stderr together. */
  printed: string;
  /** The run's ledger entries, oldest first. */
  entries: LedgerEntry[];
  /** The operations Bedrock received, per region, primary first. */
  calls: string[][];
}

/**
 * Runs `claude -p` through `stack` (Anthropic mode unless `bedrock`) with at
 * most `retries` retries of its own, and checks what must hold under every
 * fault: the token is in no log line, nothing was an unhandled error.
 */
async function claudeCodeThrough(
  stack: GatewayStack,
  options: { retries?: number; bedrock?: boolean } = {},
): Promise<FaultRun> {
  await using helper = await tokenFileHelper(stack.token);
  const settings = { gatewayUrl: stack.url, apiKeyHelper: helper.command };
  const run = await runClaudeCode(
    "Say hello",
    options.bedrock ? claudeCodeBedrockSettings(settings) : claudeCodeSettings(settings),
    { env: { CLAUDE_CODE_MAX_RETRIES: String(options.retries ?? 1) } },
  );
  assert(stack.logLines.every((l) => !l.includes(stack.token)), "no log line holds the token");
  const errors = stack.logs.filter((r) => r.level === "error");
  assertEquals(errors, [], "no unhandled error");
  const entries = (await ledgerToday(stack)).sort((a, b) => a.at.localeCompare(b.at));
  const calls = stack.emulators.map((e) => e.requests.map((r) => r.operation ?? r.path));
  return { run, printed: run.stdout + run.stderr, entries, calls };
}

function assertCompleted({ run }: FaultRun): void {
  assertEquals(run.code, 0, `claude exited ${run.code}: ${run.stdout} ${run.stderr}`);
  assertEquals(run.stdout.trim(), ANSWER);
}

/** `[status, outcome, errorType]` of each entry. */
function outcomes(entries: LedgerEntry[]): [number, string, string | null][] {
  return entries.map((e) => [e.status, e.outcome, e.errorType]);
}

Deno.test("Claude Code waits out the gateway's 429 after a throttling storm longer than the gateway's retries, then completes", async () => {
  await using stack = await startGatewayStack({
    env: { CCGATE_RETRY_MAX_ATTEMPTS: "2", CCGATE_RETRY_BASE_MS: "0" },
  });
  stack.emulator.enqueue(
    errorScript("ThrottlingException"),
    errorScript("ThrottlingException"),
    answer(),
  );
  const result = await claudeCodeThrough(stack);
  assertCompleted(result);
  // Two gateway attempts (its 429), then Claude Code's retry.
  assertEquals(result.calls, [Array(3).fill("InvokeModelWithResponseStream")]);
  // The gateway's 429 says `retry-after: 10`; Claude Code waits at least that (it adds jitter, never
  // subtracts): a lower bound, not a race.
  const [, lastThrottled, retried] = stack.emulator.requests;
  const waited = retried!.receivedAt - lastThrottled!.receivedAt;
  assert(waited >= 10_000, `Claude Code retried ${waited} ms after the 429`);
  assertEquals(outcomes(result.entries), [
    [429, "upstream_error", "ThrottlingException"],
    [200, "completed", null],
  ]);
  assertEquals(result.entries[0]!.inputTokens, 0, "a throttled call costs nothing");
});

Deno.test("Claude Code retries the gateway's 529 and 500 of a 5xx burst and completes", async () => {
  await using stack = await startGatewayStack();
  stack.emulator.enqueue(
    errorScript("ServiceUnavailableException"),
    errorScript("InternalServerException"),
    answer(),
  );
  const result = await claudeCodeThrough(stack, { retries: 2 });
  assertCompleted(result);
  assertEquals(result.calls, [Array(3).fill("InvokeModelWithResponseStream")]);
  assertEquals(outcomes(result.entries), [
    [529, "upstream_error", "ServiceUnavailableException"],
    [500, "upstream_error", "InternalServerException"],
    [200, "completed", null],
  ]);
  assertEquals(result.entries[2]!.region, "us-east-1");
});

Deno.test("Claude Code, past its retries in a ServiceUnavailable storm, prints the gateway's 529 message and exits 1", async () => {
  await using stack = await startGatewayStack({
    emulator: { defaultScript: () => errorScript("ServiceUnavailableException") },
  });
  const result = await claudeCodeThrough(stack, { retries: 1 });
  assertEquals(result.run.code, 1, result.printed);
  assertStringIncludes(result.printed, "API Error: 529 Bedrock is temporarily unavailable");
  assertEquals(result.calls, [Array(2).fill("InvokeModelWithResponseStream")]);
  assertEquals(
    outcomes(result.entries),
    Array(2).fill([529, "upstream_error", "ServiceUnavailableException"]),
  );
});

Deno.test("Claude Code completes through a hung region: the gateway fails over, one ledger entry names the region that answered", async () => {
  await using stack = await startGatewayStack({
    regions: [{ region: "us-west-2" }],
    env: {
      CCGATE_RETRY_MAX_ATTEMPTS: "2",
      CCGATE_RETRY_BASE_MS: "0",
      CCGATE_FIRST_BYTE_TIMEOUT_MS: "500",
    },
  });
  const [east, west] = stack.emulators;
  east!.enqueue(hangScript());
  west!.enqueue(answer());
  const result = await claudeCodeThrough(stack);
  assertCompleted(result);
  assertEquals(result.calls, [["InvokeModelWithResponseStream"], [
    "InvokeModelWithResponseStream",
  ]]);
  // (Not `east.requests[0].closed`: the gateway closes its side of the hung call, but Deno.serve in
  // the emulator does not see the close of a connection that sent a body as large as Claude Code's.)
  const failed = stack.logs.filter((r) => r.msg === "bedrock attempt failed");
  assertEquals(failed.map((r) => [r.region, r.error]), [["us-east-1", "UpstreamTimeoutError"]]);
  assertEquals(outcomes(result.entries), [[200, "completed", null]]);
  assertEquals(result.entries[0]!.region, "us-west-2");
});

Deno.test("Claude Code retries the gateway's 504 when Bedrock never sends a first byte, then prints it and exits 1", async () => {
  await using stack = await startGatewayStack({
    env: { CCGATE_FIRST_BYTE_TIMEOUT_MS: "500" },
    emulator: { defaultScript: () => hangScript() },
  });
  const result = await claudeCodeThrough(stack, { retries: 1 });
  assertEquals(result.run.code, 1, result.printed);
  assertStringIncludes(result.printed, "API Error: 504 Bedrock sent no first byte within 500 ms");
  assertEquals(result.calls, [Array(2).fill("InvokeModelWithResponseStream")]);
  const failed = stack.logs.filter((r) => r.msg === "bedrock attempt failed");
  assertEquals(failed.map((r) => r.error), Array(2).fill("UpstreamTimeoutError"));
  // Sent to Bedrock, so charged its estimated input (gateway/likely_billed.ts).
  assertEquals(
    result.entries.map((e) => [e.status, e.outcome, e.errorType, e.estimated]),
    Array(2).fill([504, "upstream_error", "upstream_timeout", true]),
  );
});

const MID_STREAM_FAULTS = [
  ["a connection reset", { resetAfter: 4 }, "upstream_connection"],
  ["a corrupted frame (bad CRC)", { corruptAt: 4 }, "upstream_error"],
  ["a truncated frame", { truncateAt: 4 }, "upstream_error"],
  ["a ModelStreamErrorException", { failAfter: { events: 4 } }, "ModelStreamErrorException"],
] as const;

for (const [fault, script, errorType] of MID_STREAM_FAULTS) {
  Deno.test(`Claude Code meets ${fault} after partial text: it asks again without streaming and completes; both attempts are in the ledger`, async () => {
    await using stack = await startGatewayStack();
    stack.emulator.enqueue(answerScript(PARTIAL, script), answer());
    const result = await claudeCodeThrough(stack);
    assertCompleted(result);
    assertEquals(result.calls, [["InvokeModelWithResponseStream", "InvokeModel"]]);
    const [cut, retried] = result.entries;
    assertEquals(outcomes(result.entries), [[200, "upstream_error", errorType], [
      200,
      "completed",
      null,
    ]]);
    // The cut stream: Bedrock's input count, the output streamed until the fault, estimated.
    assertEquals([cut!.stream, cut!.inputTokens, cut!.estimated], [true, 10, true]);
    assert(cut!.outputTokens > 0, "the streamed output is charged");
    assertEquals([retried!.stream, retried!.estimated], [false, undefined]);
  });
}

Deno.test("Claude Code meets Bedrock throttling mid-stream after a finished text block: it retries and completes (an overloaded_error event, not a rate_limit_error it would give up on)", async () => {
  await using stack = await startGatewayStack();
  stack.emulator.enqueue(
    answerScript(PARTIAL, { failAfter: { events: 7, exception: "ThrottlingException" } }),
    answer(),
  );
  const result = await claudeCodeThrough(stack);
  assertCompleted(result);
  assertEquals(result.calls, [Array(2).fill("InvokeModelWithResponseStream")]);
  assertEquals(outcomes(result.entries), [
    [200, "upstream_error", "ThrottlingException"],
    [200, "completed", null],
  ]);
});

/** Fault, and the operation and route of Claude Code's retry (a stream, or a call without). */
const BEDROCK_MODE_FAULTS: [string, BedrockScript, string, string][] = [
  [
    "a ServiceUnavailableException",
    errorScript("ServiceUnavailableException"),
    "InvokeModelWithResponseStream",
    "bedrock_invoke_stream",
  ],
  [
    "a mid-stream connection reset",
    answerScript(PARTIAL, { resetAfter: 4 }),
    "InvokeModel",
    "bedrock_invoke",
  ],
];

for (const [fault, script, retry, retryRoute] of BEDROCK_MODE_FAULTS) {
  Deno.test(`Claude Code in Bedrock mode retries ${fault} through the native routes and completes`, async () => {
    await using stack = await startGatewayStack();
    stack.emulator.enqueue(script, answer());
    const result = await claudeCodeThrough(stack, { bedrock: true });
    assertCompleted(result);
    assertEquals(result.calls, [["InvokeModelWithResponseStream", retry]]);
    assertEquals(result.entries.map((e) => [e.route, e.outcome, e.bedrockModel]), [
      ["bedrock_invoke_stream", "upstream_error", MODEL],
      [retryRoute, "completed", MODEL],
    ]);
  });
}
