import {
  type GatewayError,
  MemoryShareExceededError,
  OverloadedError,
  RequestTooLargeError,
} from "./errors.ts";
import { estimateCallMemory, largestBodyFor } from "./memory_budget.ts";

/** Why memory was refused, as `ccgate_load_shed_total` counts it. */
export type MemoryRefusalReason = "memory" | "too_large" | "user_share";

/** A refusal and its reason. */
export interface MemoryRefusal {
  /** What to answer. */
  error: GatewayError;
  /** The `ccgate_load_shed_total` reason. */
  reason: MemoryRefusalReason;
}

/**
 * Memory held for one request: opened before it is authenticated (from its
 * `content-length`, holding nothing), its call's estimate held for its user
 * once authenticated and before its body is read, grown once the body is in
 * when it is larger than declared (or undeclared), and held by its Bedrock
 * call until the call ends.
 */
export interface MemoryReservation {
  /** Bytes held now (0 without a memory budget). */
  readonly bytes: number;
  /** The user it is counted against, once known. */
  readonly owner: string | undefined;
  /**
   * Holds the request's estimate for `owner` (the token's subject), before
   * the body is read.
   *
   * @throws {OverloadedError} 529 beyond the budget.
   * @throws {MemoryShareExceededError} 429 when the user's other requests
   * already hold their share of the budget.
   * @throws {RequestTooLargeError} 413 when the request alone is more than one user's share.
   */
  assign(owner: string): void;
  /**
   * Holds what a call with a body of `bodyBytes` is estimated to need, once
   * the body is in and before it is parsed (more than was reserved only when
   * the body is larger than declared, or was not declared).
   *
   * @throws {OverloadedError} 529 beyond the budget.
   * @throws {RequestTooLargeError} 413 when the call alone would not fit.
   * @throws {MemoryShareExceededError} 429 beyond the user's share.
   */
  grow(bodyBytes: number): void;
  /** Gives the memory back, once; does nothing once a call has taken it over. */
  release(): void;
}

/** Options of {@linkcode MemoryPool}. */
export interface MemoryPoolOptions {
  /** The budget for requests in flight, bytes. */
  budgetBytes: number;
  /**
   * Share of the budget one user's requests may hold together (0–1]: one
   * user cannot take the whole instance, be it with a slow upload of a large
   * body or with many requests. A request larger than the share on its own is
   * refused with 413.
   * @default {1}
   */
  userShare?: number;
  /** Every refusal passes through here (counted, logged) before it is thrown. */
  refused?: (refusal: MemoryRefusal) => GatewayError;
  /** Called with the new total whenever it changes. */
  moved?: (reservedBytes: number) => void;
}

/**
 * The memory budget for requests in flight, by request and by user: each
 * request holds its estimate once authenticated, before its body is read (so
 * that a burst of large requests is refused before their bodies are read: a
 * read body also leaves the server's connection buffers sized to it), and its
 * call holds it until it ends.
 *
 * @example
 * ```ts
 * import { MemoryPool } from "./memory_pool.ts";
 * const pool = new MemoryPool({ budgetBytes: 64 * 1024 * 1024, userShare: 0.5 });
 * const reservation = pool.reserve(80_000);
 * reservation.assign("alice");
 * reservation.grow(80_000);
 * reservation.release();
 * console.assert(pool.reservedBytes === 0);
 * ```
 */
export class MemoryPool {
  readonly #options: MemoryPoolOptions;
  readonly #shareBytes: number;
  #reserved = 0;
  /** Bytes and requests held per user. */
  readonly #owners = new Map<string, { bytes: number; requests: number }>();

  /** @param options Budget, user share and hooks. */
  constructor(options: MemoryPoolOptions) {
    this.#options = options;
    this.#shareBytes = Math.floor(options.budgetBytes * Math.min(1, options.userShare ?? 1));
  }

  /** The budget, bytes. */
  get budgetBytes(): number {
    return this.#options.budgetBytes;
  }

  /** Bytes reserved now. */
  get reservedBytes(): number {
    return this.#reserved;
  }

  /**
   * Bytes held by one user's requests now.
   *
   * @param owner The user.
   * @returns Bytes.
   */
  heldBy(owner: string): number {
    return this.#owners.get(owner)?.bytes ?? 0;
  }

  /**
   * Why a request with a body of `bodyBytes` would not be admitted now, or
   * `undefined` (its call's estimate must fit beside what is reserved).
   *
   * @param bodyBytes Size of the body (0 when unknown).
   * @returns The refusal, not yet passed to `refused`.
   */
  refusal(bodyBytes: number): MemoryRefusal | undefined {
    return this.#check(bodyBytes, estimateCallMemory(bodyBytes), 0, undefined);
  }

  /**
   * Opens the reservation of a request with a body of `declaredBytes`, before
   * it is authenticated: refused when its estimate would not fit now, holding
   * nothing until `assign()` (an unauthenticated request never holds memory).
   *
   * @param declaredBytes The request's `content-length` (0 when absent).
   * @returns The reservation, holding nothing yet.
   * @throws {OverloadedError} 529 when its estimate does not fit now.
   * @throws {RequestTooLargeError} 413 when it alone exceeds the budget.
   */
  reserve(declaredBytes: number): MemoryReservation {
    const refused = this.refusal(declaredBytes);
    if (refused !== undefined) throw this.#refused(refused);
    return this.open(declaredBytes);
  }

  /**
   * @internal A reservation for a body of `bodyBytes` that holds nothing yet
   * and was not checked: its `grow()` or `assign()` checks what it takes.
   */
  open(bodyBytes: number): _Reservation {
    return new _Reservation(this, bodyBytes);
  }

  /** @internal Why `more` bytes do not fit beside `held` for `owner`. */
  check(
    bodyBytes: number,
    more: number,
    held: number,
    owner: string | undefined,
  ): MemoryRefusal | undefined {
    return this.#check(bodyBytes, more, held, owner);
  }

  /** @internal Passes a refusal to `refused`. */
  refuse(refusal: MemoryRefusal): GatewayError {
    return this.#refused(refusal);
  }

  /** @internal Moves `by` bytes into (or out of) `reservation`, and its owner's total. */
  move(reservation: _Reservation, by: number): void {
    if (by === 0) return;
    reservation.bytes += by;
    this.#reserved += by;
    const owner = reservation.owner;
    if (owner !== undefined) {
      const held = this.#owners.get(owner)!;
      held.bytes += by;
    }
    this.#options.moved?.(this.#reserved);
  }

  /** @internal Counts `reservation` against `owner` from now on. */
  own(reservation: _Reservation, owner: string): void {
    const held = this.#owners.get(owner);
    if (held === undefined) this.#owners.set(owner, { bytes: reservation.bytes, requests: 1 });
    else {
      held.bytes += reservation.bytes;
      held.requests++;
    }
  }

  /** @internal Gives back everything `reservation` holds. */
  free(reservation: _Reservation): void {
    const owner = reservation.owner;
    this.move(reservation, -reservation.bytes);
    if (owner === undefined) return;
    const held = this.#owners.get(owner)!;
    if (--held.requests === 0) this.#owners.delete(owner);
  }

  #refused(refusal: MemoryRefusal): GatewayError {
    return this.#options.refused?.(refusal) ?? refusal.error;
  }

  #tooLarge(
    bodyBytes: number,
    total: number,
    budget: number,
    whose: string,
  ): MemoryRefusal | undefined {
    if (total <= budget) return undefined;
    const largest = largestBodyFor(budget);
    const error = new RequestTooLargeError(
      largest,
      `Request body of ${bodyBytes} bytes is more than this gateway instance can hold in memory: at most ${largest} bytes with ${whose} ${
        _mib(budget)
      } MiB`,
    );
    return { error, reason: "too_large" };
  }

  #check(
    bodyBytes: number,
    more: number,
    held: number,
    owner: string | undefined,
  ): MemoryRefusal | undefined {
    if (more <= 0) return undefined;
    const budget = this.#options.budgetBytes;
    const tooLarge = this.#tooLarge(
      bodyBytes,
      held + more,
      budget,
      "its memory budget for requests of",
    );
    if (tooLarge !== undefined) return tooLarge;
    if (this.#reserved + more > budget) {
      const error = new OverloadedError(
        `This gateway instance is at its memory budget for requests in flight (${
          _mib(this.#reserved)
        } of ${_mib(budget)} MiB); retry`,
        1,
      );
      return { error, reason: "memory" };
    }
    return owner === undefined ? undefined : this.#share(owner, bodyBytes, held, more);
  }

  /**
   * Why `owner` may not hold `more` bytes beside `held` (what the request
   * holds already): the request alone, or with the user's other requests,
   * would pass the user's share.
   */
  #share(
    owner: string,
    bodyBytes: number,
    held: number,
    more: number,
  ): MemoryRefusal | undefined {
    const share = this.#shareBytes;
    const alone = this.#tooLarge(bodyBytes, held + more, share, "one user's share of");
    if (alone !== undefined) return alone;
    const others = (this.#owners.get(owner)?.bytes ?? 0) - held;
    if (others + held + more <= share) return undefined;
    const error = new MemoryShareExceededError(
      `Your requests in flight hold ${_mib(others)} MiB of this gateway instance's memory; ` +
        `one user may hold at most ${_mib(share)} MiB. Retry once one has finished`,
      1,
    );
    return { error, reason: "user_share" };
  }
}

/** @internal One request's reservation (see {@linkcode MemoryReservation}). */
export class _Reservation implements MemoryReservation {
  bytes = 0;
  owner: string | undefined;
  /** The body size it was estimated for (named in refusals). */
  bodyBytes: number;
  #state: "request" | "call" | "released" = "request";
  readonly #pool: MemoryPool;

  constructor(pool: MemoryPool, bodyBytes: number) {
    this.#pool = pool;
    this.bodyBytes = bodyBytes;
  }

  /** Whether the request still holds it (no call has taken it over). */
  get heldByRequest(): boolean {
    return this.#state === "request";
  }

  assign(owner: string): void {
    if (this.#state !== "request" || this.owner !== undefined) return;
    this.#take(this.bodyBytes, owner);
  }

  grow(bodyBytes: number): void {
    if (this.#state !== "request") return;
    this.#take(bodyBytes, this.owner);
    this.bodyBytes = Math.max(this.bodyBytes, bodyBytes);
  }

  /** Holds a call's estimate for `bodyBytes`, counted against `owner`, or throws the refusal. */
  #take(bodyBytes: number, owner: string | undefined): void {
    const more = estimateCallMemory(bodyBytes) - this.bytes;
    const refused = this.#pool.check(bodyBytes, more, this.bytes, owner);
    if (refused !== undefined) throw this.#pool.refuse(refused);
    if (owner !== undefined && this.owner === undefined) {
      this.owner = owner;
      this.#pool.own(this, owner);
    }
    this.#pool.move(this, Math.max(0, more));
  }

  /** The call holds it from now on: `end()` gives it back. */
  takeOver(): void {
    this.#state = "call";
  }

  /** The call is over. */
  end(): void {
    if (this.#state === "released") return;
    this.#state = "released";
    this.#pool.free(this);
  }

  release(): void {
    if (this.#state !== "request") return;
    this.end();
  }
}

function _mib(bytes: number): number {
  return Math.round(bytes / 1024 / 1024);
}
