/**
 * Ledger test helpers: entries with defaults, and a KV wrapper whose atomic
 * commits can be interrupted (a writer crashing mid-batch, deterministically).
 *
 * @module
 */
import type { LedgerEntry } from "../gateway/ledger/ledger_entry.ts";
import { type LedgerKv, WAL_PREFIX } from "../gateway/ledger/roll_up_entry.ts";

/** A ledger entry: `overrides` on top of a completed 10-in / 20-out request. */
export function ledgerEntry(overrides: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    requestId: "req_000000000000000000000001",
    at: "2026-11-30T10:00:00.000Z",
    day: "2026-11-30",
    user: "user-a",
    sid: "sid-a",
    groups: ["eng"],
    roles: ["ccgate.user"],
    route: "messages",
    model: "claude-sonnet-4-5-20250929",
    bedrockModel: "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
    stream: true,
    inputTokens: 10,
    outputTokens: 20,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    costUsd: 0.00033,
    firstByteMs: 100,
    totalMs: 900,
    status: 200,
    outcome: "completed",
    errorType: null,
    ...overrides,
  };
}

/** What an {@linkcode interruptibleKv} does at a commit. */
export type CommitFate =
  /** Commit normally. */
  | "commit"
  /** Throw before anything is written (the commit never reached KV). */
  | "fail"
  /** Never settle: the writer is stuck there (as if the process died in the commit). */
  | "hang";

/** What an atomic commit of the ledger writes. */
export interface CommitInfo {
  /** Write-ahead log records it sets (under `WAL_PREFIX`); 0 for a roll-up. */
  walRecords: number;
}

/**
 * A real `Deno.Kv` whose atomic commits are decided one by one by `fate`
 * (called with the 0-based number of the commit and what it writes; it may
 * take its time, as a slow disk or a far KV region does): the far side of the
 * writer's wire, emulated; every commit that goes through is a real KV commit.
 */
export function interruptibleKv(
  kv: Deno.Kv,
  fate: (n: number, commit: CommitInfo) => CommitFate | Promise<CommitFate>,
): LedgerKv {
  let n = 0;
  return kvWithAtomic(kv, (op) => {
    const info: CommitInfo = { walRecords: 0 };
    const set = op.set.bind(op);
    op.set = (key, value, options) => {
      if (WAL_PREFIX.every((part, i) => key[i] === part)) info.walRecords++;
      return set(key, value, options);
    };
    const commit = op.commit.bind(op);
    op.commit = async () => {
      const f = await fate(n++, info);
      if (f === "fail") throw new Error("KV commit interrupted");
      if (f === "hang") return await new Promise<never>(() => {});
      return await commit();
    };
    return op;
  });
}

/**
 * A real `Deno.Kv` as the usage ledger sees it, each atomic operation passed
 * through `wrap` before the ledger uses it (to record, delay or fail its
 * commit): the far side of the ledger's KV, emulated around a real one.
 */
export function kvWithAtomic(
  kv: Deno.Kv,
  wrap: (op: Deno.AtomicOperation) => Deno.AtomicOperation,
): LedgerKv {
  return {
    get: kv.get.bind(kv) as Deno.Kv["get"],
    getMany: kv.getMany.bind(kv) as Deno.Kv["getMany"],
    list: kv.list.bind(kv) as Deno.Kv["list"],
    set: kv.set.bind(kv),
    atomic: () => wrap(kv.atomic()),
  };
}
