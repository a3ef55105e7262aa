/**
 * A stream the drain deadline ends (a restart, SIGTERM) is the gateway's
 * doing, not Bedrock's: recorded with the outcome `shutting_down`, not
 * counted in `ccgate_upstream_errors_total`, and still charged what it
 * streamed. Over real sockets, against the Bedrock emulator.
 */
import { answerScript, textAnswer } from "@ccgate/emulators";
import { assert, assertEquals } from "../testing/assert.ts";
import { FakeTimers } from "../testing/fake_timers.ts";
import { postMessages, startGatewayStack } from "../testing/gateway_stack.ts";
import { dayOf } from "./ledger/ledger_entry.ts";
import { listEntries } from "./ledger/usage_query.ts";

Deno.test("drain(): a stream ended at the deadline is recorded as shutting_down, not as an upstream error", async () => {
  const timers = new FakeTimers();
  await using stack = await startGatewayStack({ timers });
  stack.emulator.enqueue(answerScript(textAnswer(["partial answer"]), { hangAfter: 3 }));
  const response = await postMessages(stack.url, stack.token, { stream: true });
  assertEquals(response.status, 200);
  await stack.emulator.waitForRequests(1);

  const drained = stack.lifecycle.drain(5_000);
  await timers.whenPending(5_000);
  timers.advance(5_000);
  const text = await response.text();
  assert(text.includes("restarting"), "the client is told the gateway is restarting");
  assertEquals((await drained).ended, 1);

  const record = stack.logs.find((r) => r.msg === "messages")!;
  assertEquals([record.outcome, record.error_type], ["shutting_down", "shutting_down"]);
  assertEquals(
    stack.metrics.value("ccgate_upstream_errors_total", {
      route: "messages",
      type: "shutting_down",
    }),
    0,
    "a restart is not a Bedrock failure",
  );
  assertEquals(
    stack.metrics.value("ccgate_requests_total", {
      route: "messages",
      status: "200",
      outcome: "shutting_down",
    }),
    1,
  );

  await stack.ledger.flush();
  const today = dayOf(new Date());
  const [entry] = (await listEntries(stack.kv, { from: today, to: today })).entries;
  assertEquals([entry!.outcome, entry!.errorType], ["shutting_down", "shutting_down"]);
  // Billing is unchanged: the prompt Bedrock reported and the output streamed until the cut.
  assert(entry!.inputTokens > 0, "the prompt is charged");
  assert(entry!.outputTokens > 0, "the output streamed until the cut is charged");
});
