import { assert, assertEquals } from "../testing/assert.ts";
import {
  CALL_BASE_BYTES,
  estimateCallMemory,
  largestBodyFor,
  memoryBudgetFor,
} from "./memory_budget.ts";

const MIB = 1024 * 1024;

Deno.test("estimateCallMemory() grows with the request body", () => {
  assertEquals(estimateCallMemory(0), CALL_BASE_BYTES);
  assertEquals(estimateCallMemory(-5), CALL_BASE_BYTES, "a bad size counts as none");
  // Above what the bench's memory shapes measured (about 0.7 MiB per stream for Claude Code's 80 KB
  // requests, 2–2.4 MiB for 485 KB ones), with the margin its 512 MiB cgroup flood kept.
  const claudeCode = estimateCallMemory(80_000) / MIB;
  assert(claudeCode > 0.8 && claudeCode < 1.1, `80 KB: ${claudeCode} MiB`);
  const longConversation = estimateCallMemory(485_000) / MIB;
  assert(longConversation > 3.2 && longConversation < 4.2, `485 KB: ${longConversation} MiB`);
});

Deno.test("memoryBudgetFor() keeps headroom and the process's own memory out of the limit", () => {
  assertEquals(memoryBudgetFor(512 * MIB), Math.floor(512 * MIB * 0.8 - 128 * MIB));
  assertEquals(memoryBudgetFor(2048 * MIB), Math.floor(2048 * MIB * 0.8 - 128 * MIB));
  assertEquals(memoryBudgetFor(64 * MIB), CALL_BASE_BYTES, "never less than one small call");
});

Deno.test("largestBodyFor() is the largest body whose estimate fits", () => {
  for (const budget of [CALL_BASE_BYTES, 3 * MIB, memoryBudgetFor(512 * MIB)]) {
    const largest = largestBodyFor(budget);
    assert(estimateCallMemory(largest) <= budget);
    assert(estimateCallMemory(largest + 1) > budget);
  }
  assertEquals(largestBodyFor(CALL_BASE_BYTES - 1), 0);
});
