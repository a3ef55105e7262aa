import type { TokenUsage } from "../usage.ts";

/** How a model request ended, in the ledger. */
export type LedgerOutcome =
  /** Answered in full. */
  | "completed"
  /** Bedrock failed: before the first byte (an HTTP error) or mid-stream (a final error event). */
  | "upstream_error"
  /** The client went away; the entry holds what was streamed until then. */
  | "client_aborted"
  /**
   * The gateway was restarting (SIGTERM): the drain deadline ended the stream
   * with a final error. The entry holds what was streamed until then (output
   * estimated past Bedrock's last count). Not a Bedrock failure.
   */
  | "shutting_down"
  /** Refused by the gateway before Bedrock was called (bad input, policy, load shedding). */
  | "rejected"
  /**
   * The gateway process stopped (killed, out of memory) while the request was
   * in flight; the entry holds what its open record knew (a stream's prompt
   * and output until the last refresh, a non-streamed call's estimated
   * input), and was rolled up by another instance (`UsageLedger.sweep`) once
   * the request could no longer be running.
   */
  | "interrupted";

/**
 * One request in the usage ledger: who asked for which model, what it used
 * and cost, how long it took and how it ended. Never a token, never prompt
 * or response text.
 */
export interface LedgerEntry {
  /** The request id (`req_...`): the entry's identity, so a retried write does not duplicate. */
  requestId: string;
  /** When the request arrived, ISO 8601 UTC. */
  at: string;
  /** The UTC day of `at`, `YYYY-MM-DD`: the rollup bucket. */
  day: string;
  /** User (the token's `sub`, the Entra object id). */
  user: string;
  /** Session id (the token's `sid`). */
  sid: string;
  /**
   * The user's Entra tenant (the token's `tid`), as the token has it. Absent
   * from entries of tokens without one and from entries written before
   * ccgate recorded it: those are rolled up for no tenant (see
   * `USAGE_PREFIX`), so an admin outside the admin tenants never sees them.
   */
  tid?: string;
  /** The token's groups (at most {@linkcode MAX_ENTRY_GROUPS}). */
  groups: string[];
  /** The token's app roles (at most {@linkcode MAX_ENTRY_GROUPS}); the admin API's effective policy uses them. */
  roles: string[];
  /** Route: `messages`, `chat_completions`, `bedrock_invoke`, `bedrock_invoke_stream`. */
  route: string;
  /** The model name the client asked for, if it got that far. */
  model: string | null;
  /** The Bedrock model id or inference profile called, if resolved. */
  bedrockModel: string | null;
  /**
   * The AWS region whose Bedrock answered, after any failover; `null` when
   * none did. Absent from entries written before ccgate recorded it.
   */
  region?: string | null;
  /** Whether the answer was streamed. */
  stream: boolean;
  /**
   * Uncached input tokens (estimated for a non-streamed request `interrupted`
   * before its answer, and for one sent to Bedrock that ended before its first
   * byte: client gone, timeout, connection lost; see `estimated`).
   */
  inputTokens: number;
  /**
   * Output tokens. For a stream cut before Bedrock's final count (client
   * abort, mid-stream error, `interrupted`), Bedrock reported none of what it
   * streamed: the count is then estimated from the text streamed (see
   * `estimated`).
   */
  outputTokens: number;
  /** Input tokens read from the prompt cache. */
  cacheReadTokens: number;
  /** Input tokens written to the prompt cache, 5-minute and 1-hour writes together. */
  cacheWriteTokens: number;
  /**
   * Of `cacheWriteTokens`, those written to the 1-hour cache (priced at the
   * model's `cache_write_1h` rate, the rest at `cache_write`). Absent when
   * none: an answer that did not split its cache writes, and every entry
   * written before ccgate recorded the split (priced then at `cache_write`).
   */
  cacheWrite1hTokens?: number;
  /** Cost in US dollars; `null` when the model has no price. */
  costUsd: number | null;
  /** Milliseconds to the first byte from Bedrock; `null` when none came. */
  firstByteMs: number | null;
  /** Milliseconds until the request (or stream) ended. */
  totalMs: number;
  /**
   * HTTP status answered: 200 for a stream that later failed; 499 when the
   * client went away before its answer; 0 when none was (`interrupted`
   * before an answer).
   */
  status: number;
  /** How it ended. */
  outcome: LedgerOutcome;
  /** Error type (`ThrottlingException`, `ModelStreamErrorException`, `invalid_request`...), or `null`. */
  errorType: string | null;
  /**
   * `true` when token counts (and so `costUsd`) hold estimates, erring high,
   * as the policy's budgets charge them: a cut stream's output (about one
   * token per 3 bytes of the text it sent), or the input (from its body) of
   * a non-streamed request `interrupted` before Bedrock answered, or of a
   * request sent to Bedrock that ended before its first byte (client gone,
   * timeout, connection lost: `gateway/likely_billed.ts`). Absent when
   * Bedrock reported every count.
   */
  estimated?: boolean;
  /**
   * The Bedrock service tier of a Bedrock-native request that named one
   * (`X-Amzn-Bedrock-Service-Tier`): the tier Bedrock said served it, else the
   * one asked for. Absent: the standard tier. `costUsd` is always priced at
   * the standard on-demand rate: a `flex` entry costs less than it says, a
   * `priority` one more, a `reserved` one is billed by its reservation.
   */
  serviceTier?: string;
}

/** Groups kept per entry (a token's `groups` claim can be long). */
export const MAX_ENTRY_GROUPS = 50;

/** Characters kept of each of an entry's texts from a token (user, session, tenant, each group and role). */
export const MAX_ENTRY_TEXT = 256;

/**
 * Longest entry, in characters of its JSON, that the ledger writes: a KV
 * value holds 64 KiB, and a character takes up to 2 bytes. Entries built
 * within {@linkcode MAX_ENTRY_GROUPS}, {@linkcode MAX_ENTRY_TEXT} and the
 * gateway's 512-character model names stay under 30,000.
 */
export const MAX_ENTRY_JSON = 32_000;

/**
 * The UTC day of an instant, `YYYY-MM-DD`.
 *
 * @param date The instant.
 * @returns The day.
 *
 * @example
 * ```ts
 * import { dayOf } from "./ledger_entry.ts";
 * console.assert(dayOf(new Date("2026-11-30T23:59:59Z")) === "2026-11-30");
 * ```
 */
export function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * A request in flight, kept in KV (`["ledger", "open", until, requestId]`) until its
 * entry is written ahead: what is rolled up, as `interrupted`, if the gateway
 * that serves it dies first.
 */
export interface OpenRecord {
  /** The entry as known when the request's stream opened, outcome `interrupted`. */
  entry: LedgerEntry;
  /** When the request can no longer be running (its start, the total timeout and a margin), ms since the epoch. */
  until: number;
}

/**
 * The token usage an entry records, in the shape the policy counts. Pure.
 *
 * @param entry A ledger entry.
 * @returns Its input, output, cache-read and cache-write tokens (the 1-hour writes among them).
 *
 * @example
 * ```ts ignore
 * policy.charge(subject, entry.bedrockModel!, entryUsage(entry), new Date(entry.at));
 * ```
 */
export function entryUsage(entry: LedgerEntry): TokenUsage {
  const usage: TokenUsage = {
    inputTokens: entry.inputTokens,
    outputTokens: entry.outputTokens,
    cacheReadInputTokens: entry.cacheReadTokens,
    cacheCreationInputTokens: entry.cacheWriteTokens,
  };
  if (entry.cacheWrite1hTokens) usage.cacheCreation1hInputTokens = entry.cacheWrite1hTokens;
  return usage;
}
