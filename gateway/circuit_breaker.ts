/** Options of {@linkcode CircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open a circuit. */
  failureThreshold: number;
  /** How long an open circuit refuses calls before letting one probe through, milliseconds. */
  cooldownMs: number;
  /** Monotonic clock, milliseconds. */
  now: () => number;
  /**
   * Most circuits remembered; the oldest is forgotten beyond it (model ids
   * come from requests, so the key space is not ours to bound).
   * @default {10_000}
   */
  maxCircuits?: number;
  /**
   * Told when a circuit opens (closed → open), closes (a call succeeded) or
   * is forgotten while open (beyond `maxCircuits`); not when a failed probe
   * re-opens an open circuit. For logs and the open-circuit gauge
   * (`circuitReporter`). @default none
   */
  changed?: (key: string, change: CircuitChange) => void;
}

/** What {@linkcode CircuitBreakerOptions.changed} is told. */
export type CircuitChange = "opened" | "closed" | "forgotten";

/** State of one circuit. */
export type CircuitState = "closed" | "open" | "half_open";

interface _Circuit {
  failures: number;
  openedAt: number | undefined;
  probing: boolean;
}

/**
 * One circuit per upstream key (region × model): closed while calls
 * succeed; open after `failureThreshold` consecutive failures, refusing
 * calls for `cooldownMs`; then half-open, letting exactly one probe through —
 * its success closes the circuit, its failure opens it again.
 *
 * Only healthy keys cost nothing: a circuit is forgotten when it closes.
 *
 * @example Three failures open the circuit; after the cooldown one probe goes through
 * ```ts
 * import { CircuitBreaker } from "./circuit_breaker.ts";
 * let now = 0;
 * const breaker = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1_000, now: () => now });
 * for (let i = 0; i < 3; i++) breaker.failure("us-east-1 m");
 * console.assert(!breaker.tryAcquire("us-east-1 m"));
 * now = 1_000;
 * console.assert(breaker.tryAcquire("us-east-1 m") && !breaker.tryAcquire("us-east-1 m"));
 * ```
 */
export class CircuitBreaker {
  readonly #options: CircuitBreakerOptions;
  readonly #circuits = new Map<string, _Circuit>();

  /** @param options Threshold, cooldown, clock. */
  constructor(options: CircuitBreakerOptions) {
    this.#options = options;
  }

  /**
   * Asks to call `key` now. A closed circuit always says yes; an open one
   * says no until its cooldown is over, then yes to one probe at a time.
   * Every `true` must be followed by {@linkcode success}, {@linkcode failure}
   * or {@linkcode release}.
   *
   * @param key The upstream.
   * @returns Whether the call may go ahead.
   */
  tryAcquire(key: string): boolean {
    const circuit = this.#circuits.get(key);
    if (circuit === undefined || circuit.openedAt === undefined) return true;
    if (circuit.probing) return false;
    if (this.#options.now() - circuit.openedAt < this.#options.cooldownMs) return false;
    circuit.probing = true;
    return true;
  }

  /** The upstream answered: the circuit closes and is forgotten. */
  success(key: string): void {
    const circuit = this.#circuits.get(key);
    if (circuit === undefined) return;
    this.#circuits.delete(key);
    if (circuit.openedAt !== undefined) this.#options.changed?.(key, "closed");
  }

  /** The upstream failed (throttled, 5xx, timeout, unreachable). */
  failure(key: string): void {
    let circuit = this.#circuits.get(key);
    if (circuit === undefined) {
      if (this.#circuits.size >= (this.#options.maxCircuits ?? 10_000)) {
        const oldest = this.#circuits.entries().next();
        if (!oldest.done) {
          const [forgotten, { openedAt }] = oldest.value;
          this.#circuits.delete(forgotten);
          if (openedAt !== undefined) this.#options.changed?.(forgotten, "forgotten");
        }
      }
      circuit = { failures: 0, openedAt: undefined, probing: false };
      this.#circuits.set(key, circuit);
    }
    circuit.failures++;
    if (circuit.probing || circuit.failures >= this.#options.failureThreshold) {
      const opens = circuit.openedAt === undefined;
      circuit.openedAt = this.#options.now();
      if (opens) this.#options.changed?.(key, "opened");
    }
    circuit.probing = false;
  }

  /** The call ended without a verdict (the client left): a probe slot is given back. */
  release(key: string): void {
    const circuit = this.#circuits.get(key);
    if (circuit !== undefined) circuit.probing = false;
  }

  /**
   * The state of `key`'s circuit.
   *
   * @param key The upstream.
   * @returns `closed`, `open`, or `half_open` (cooldown over, probe allowed or in flight).
   */
  state(key: string): CircuitState {
    const circuit = this.#circuits.get(key);
    if (circuit === undefined || circuit.openedAt === undefined) return "closed";
    if (circuit.probing) return "half_open";
    return this.#options.now() - circuit.openedAt < this.#options.cooldownMs ? "open" : "half_open";
  }

  /**
   * Milliseconds until `key` lets a probe through (0 when it would now).
   *
   * @param key The upstream.
   * @returns The wait.
   */
  retryAfterMs(key: string): number {
    const circuit = this.#circuits.get(key);
    if (circuit === undefined || circuit.openedAt === undefined) return 0;
    const left = circuit.openedAt + this.#options.cooldownMs - this.#options.now();
    return Math.max(0, left);
  }
}
