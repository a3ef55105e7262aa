/**
 * The memory the gateway lets requests in flight take, and what one takes.
 *
 * The estimate is measured, not derived: resident memory per open stream of
 * the gateway under `deno task bench`'s memory shape (streams held open, the
 * recorded Claude Code request), with the garbage a request leaves behind
 * until the next collection included, since that is what the kernel counts
 * against a container's limit. About 0.7 MiB with Claude Code's 80 KB
 * requests and 2–2.3 MiB with 485 KB ones (a long conversation): the request
 * body is read, decoded, parsed and translated, and the runtime keeps
 * per-connection buffers sized to it on both sides while the stream is open.
 * The figures are set by `deno task bench --only limit` (a 512 MiB cgroup
 * flooded with Claude Code's requests, then with 485 KB ones): at 512 KiB
 * and 7 bytes per body byte, 279 and 76 streams were served, peaking at
 * 334–347 and 334–397 MiB (up to 78 %) in six runs; at 6, 300 and 87, but
 * the long flood reached 403–435 MiB (up to 85 %) in three runs of nine.
 * Until the model routes
 * stopped holding a request's parse while it waited for Bedrock (see
 * messages_route.ts) they were 768 KiB and 7: 223 and 71 streams, peaking at
 * 371–384 and 385–390 MiB; and 8 per byte before long bodies were read chunk
 * by chunk (see read_json_body.ts).
 *
 * @module
 */

/** Estimated memory of a call in flight apart from its body, bytes. */
export const CALL_BASE_BYTES = 512 * 1024;

/** Estimated memory per byte of request body while its call is in flight. */
export const CALL_BYTES_PER_BODY_BYTE = 7;

/** Share of the memory limit the process plans to use at most (the rest is headroom). */
export const MEMORY_LIMIT_SHARE = 0.8;

/** Memory of the process itself, idle (runtime, modules, caches), bytes. */
export const PROCESS_BASE_BYTES = 128 * 1024 * 1024;

/**
 * The memory a call in flight is estimated to hold, from its request body's
 * size: {@linkcode CALL_BASE_BYTES} plus {@linkcode CALL_BYTES_PER_BODY_BYTE}
 * per body byte.
 *
 * @param bodyBytes Size of the request body (0 when unknown).
 * @returns Bytes.
 *
 * @example
 * ```ts
 * import { estimateCallMemory } from "./memory_budget.ts";
 * const mib = estimateCallMemory(80_000) / 1024 / 1024;
 * console.assert(mib > 0.9 && mib < 1);
 * ```
 */
export function estimateCallMemory(bodyBytes: number): number {
  return CALL_BASE_BYTES + CALL_BYTES_PER_BODY_BYTE * Math.max(0, bodyBytes);
}

/**
 * The memory budget for calls in flight under a memory limit:
 * {@linkcode MEMORY_LIMIT_SHARE} of the limit minus what the process itself
 * takes ({@linkcode PROCESS_BASE_BYTES}), and never less than one call of an
 * empty body.
 *
 * @param limitBytes The process's memory limit.
 * @returns Bytes.
 *
 * @example
 * ```ts
 * import { memoryBudgetFor } from "./memory_budget.ts";
 * const mib = memoryBudgetFor(512 * 1024 * 1024) / 1024 / 1024;
 * console.assert(Math.round(mib) === 282);
 * ```
 */
export function memoryBudgetFor(limitBytes: number): number {
  return Math.max(
    CALL_BASE_BYTES,
    Math.floor(limitBytes * MEMORY_LIMIT_SHARE - PROCESS_BASE_BYTES),
  );
}

/**
 * The largest request body whose estimate ({@linkcode estimateCallMemory})
 * fits in `budgetBytes` on its own.
 *
 * @param budgetBytes A memory budget for calls in flight.
 * @returns Bytes (0 when not even an empty body fits).
 *
 * @example
 * ```ts
 * import { estimateCallMemory, largestBodyFor } from "./memory_budget.ts";
 * const budget = 64 * 1024 * 1024;
 * console.assert(estimateCallMemory(largestBodyFor(budget)) <= budget);
 * console.assert(estimateCallMemory(largestBodyFor(budget) + 1) > budget);
 * ```
 */
export function largestBodyFor(budgetBytes: number): number {
  return Math.max(0, Math.floor((budgetBytes - CALL_BASE_BYTES) / CALL_BYTES_PER_BODY_BYTE));
}
