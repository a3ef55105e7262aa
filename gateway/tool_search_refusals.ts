/** Options of {@linkcode ToolSearchRefusals}. */
export interface ToolSearchRefusalsOptions {
  /** The clock. */
  now: () => Date;
  /**
   * How long a refusal is remembered, milliseconds: then tool search is tried again.
   * @default {3_600_000}
   */
  ttlMs?: number;
  /**
   * Most model ids remembered; past it the oldest is forgotten first.
   * @default {256}
   */
  maxEntries?: number;
}

/**
 * The Bedrock model ids Bedrock refused tool search for lately, in memory
 * and for a bounded time: their requests get the conservative translation at
 * once instead of a refused call and a retry (see `isToolSearchRefusal`).
 *
 * @example
 * ```ts
 * import { ToolSearchRefusals } from "./tool_search_refusals.ts";
 * let now = 0;
 * const refusals = new ToolSearchRefusals({ now: () => new Date(now), ttlMs: 1000 });
 * refusals.remember("us.anthropic.claude-opus-4-7");
 * console.assert(refusals.refused("us.anthropic.claude-opus-4-7"));
 * now = 1000;
 * console.assert(!refusals.refused("us.anthropic.claude-opus-4-7"));
 * ```
 */
export class ToolSearchRefusals {
  readonly #now: () => Date;
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  /** Model id → when the refusal is forgotten (ms since the epoch), oldest first. */
  readonly #until = new Map<string, number>();

  /** @param options The clock, how long and how many. */
  constructor(options: ToolSearchRefusalsOptions) {
    this.#now = options.now;
    this.#ttlMs = options.ttlMs ?? 3_600_000;
    this.#maxEntries = options.maxEntries ?? 256;
  }

  /**
   * Whether Bedrock refused tool search for this model id within the time remembered.
   *
   * @param modelId The Bedrock model id the gateway invokes.
   * @returns `true` to use the conservative translation.
   */
  refused(modelId: string): boolean {
    const until = this.#until.get(modelId);
    if (until === undefined) return false;
    if (this.#now().getTime() < until) return true;
    this.#until.delete(modelId);
    return false;
  }

  /**
   * Remembers that Bedrock refused tool search for this model id, from now on.
   *
   * @param modelId The Bedrock model id the gateway invoked.
   */
  remember(modelId: string): void {
    this.#until.delete(modelId);
    this.#until.set(modelId, this.#now().getTime() + this.#ttlMs);
    if (this.#until.size > this.#maxEntries) {
      this.#until.delete(this.#until.keys().next().value!);
    }
  }
}
