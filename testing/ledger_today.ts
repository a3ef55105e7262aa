/**
 * Reading a test gateway's usage ledger: today's entries, and the check that
 * what it charged equals what the real Claude Code says it cost.
 *
 * @module
 */
import { dayOf, type LedgerEntry } from "../gateway/ledger/ledger_entry.ts";
import type { UsageLedger } from "../gateway/ledger/usage_ledger.ts";
import { listEntries } from "../gateway/ledger/usage_query.ts";
import { assert } from "./assert.ts";

/**
 * Today's ledger entries, after flushing what the ledger still buffers.
 *
 * @param stack The gateway stack (`startGatewayStack()`): its ledger and KV.
 * @returns The entries.
 */
export async function ledgerToday(
  stack: { ledger: UsageLedger; kv: Deno.Kv },
): Promise<LedgerEntry[]> {
  await stack.ledger.flush();
  const today = dayOf(new Date());
  return (await listEntries(stack.kv, { from: today, to: today })).entries;
}

/**
 * Asserts the entries' cost, all together, is Claude Code's own
 * `total_cost_usd` (to a billionth of a dollar).
 *
 * @param entries The ledger entries of Claude Code's run.
 * @param totalCostUsd What Claude Code's JSON result says the run cost.
 */
export function assertLedgerCostIs(entries: readonly LedgerEntry[], totalCostUsd: number): void {
  const ledger = entries.reduce((n, e) => n + e.costUsd!, 0);
  assert(
    Math.abs(ledger - totalCostUsd) < 1e-9,
    `ledger $${ledger} ≠ Claude Code's $${totalCostUsd}`,
  );
}
