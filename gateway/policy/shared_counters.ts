/**
 * What a counter counts. `tokens_credited`: input tokens a minute's
 * `tokens` counter counted above what Bedrock then reported (KV's `sum`
 * only adds, so the credit is a counter of its own, subtracted on reading).
 */
export type CounterUnit = "usd_micros" | "tokens" | "tokens_credited" | "requests";

/** A counter: a scope (`user:<sub>`, `group:<name>`), a window id and a unit. */
export interface CounterKey {
  /** Scope. */
  scope: string;
  /** Window id (`2026-11-30`, `2026-11`, `m29419200`). */
  window: string;
  /** Unit. */
  unit: CounterUnit;
  /** End of the window, ms since the epoch (for forgetting it). */
  endsAt: number;
}

/** Options of {@linkcode SharedCounters}. */
export interface SharedCountersOptions {
  /** The KV every instance shares; absent: counters stay in this instance. */
  kv?: Deno.Kv;
  /** This instance's id (for its published in-flight counts). */
  instanceId: string;
  /** The wall clock. */
  now: () => Date;
  /** Another instance's in-flight count older than this is ignored (it died), ms. */
  activeStaleMs: number;
}

type _Entry = {
  key: Deno.KvKey;
  endsAt: number;
  /** Total in KV as last read (every instance's flushed amounts). */
  global: number;
  /** Charged here, not yet sent to KV. */
  unflushed: number;
  /** Charged here, being sent to KV now. */
  flushing: number;
  /** Reserved by requests in flight here (escrow). */
  reserved: number;
  loaded: boolean;
  loading?: Promise<void>;
};

type _Scope = {
  local: number;
  remote: number;
  published: number;
  lastUsed: number;
  loaded: boolean;
  loading?: Promise<void>;
};

const PREFIX = "policy";
/** Mutations per atomic commit (KV allows 1,000). */
const CHUNK = 100;
/** Keys per `getMany` (KV allows 10). */
const GET_MANY_KEYS = 10;
/** `getMany` calls made together. */
const READS_AT_ONCE = 8;
/** A scope idle this long is no longer watched, ms. */
const SCOPE_IDLE_MS = 10 * 60_000;

/**
 * The policy's counters: per-instance in memory, reconciled through KV.
 *
 * Every counter is `global` (the KV total as last read: all instances'
 * flushed amounts) + `unflushed` (charged here since the last flush) +
 * `reserved` (escrow of requests in flight here). Charges and reservations
 * are synchronous and in memory; {@linkcode SharedCounters.reconcile} adds the
 * unflushed amounts to KV with atomic `sum` mutations (`Deno.KvU64`) and
 * re-reads the totals. In-flight request counts per scope are published as
 * one row per instance with a timestamp, so a dead instance's count
 * expires instead of leaking.
 *
 * KV keys: `["policy", "usage", scope, window, unit]` (KvU64) and
 * `["policy", "active", scope, instanceId]` (`{n, at}`). Counters only add:
 * an amount to take back (tokens counted above Bedrock's count) is added to
 * a second counter (`tokens_credited`) that the reader subtracts.
 */
export class SharedCounters {
  readonly #options: SharedCountersOptions;
  readonly #entries = new Map<string, _Entry>();
  readonly #scopes = new Map<string, _Scope>();
  #reconciling: Promise<void> | undefined;

  /** @param options KV, instance id, clock, staleness. */
  constructor(options: SharedCountersOptions) {
    this.#options = options;
  }

  /** Counters whose KV total was never read (reading them needs {@linkcode SharedCounters.load}). */
  cold(keys: readonly CounterKey[], scopes: readonly string[]): boolean {
    if (this.#options.kv === undefined) return false;
    return keys.some((k) => !this.#entry(k).loaded) ||
      scopes.some((s) => !this.#scope(s).loaded);
  }

  /**
   * Reads the KV totals of counters (and in-flight counts of scopes) not
   * read before; concurrent loads of one counter share one read.
   */
  async load(keys: readonly CounterKey[], scopes: readonly string[]): Promise<void> {
    const kv = this.#options.kv;
    if (kv === undefined) return;
    const waits: Promise<void>[] = [];
    const fresh: _Entry[] = [];
    for (const k of keys) {
      const e = this.#entry(k);
      if (e.loaded) continue;
      if (e.loading !== undefined) waits.push(e.loading);
      else fresh.push(e);
    }
    if (fresh.length > 0) {
      const read = this.#read(fresh).finally(() => {
        for (const e of fresh) {
          e.loaded = true;
          e.loading = undefined;
        }
      });
      for (const e of fresh) e.loading = read;
      waits.push(read);
    }
    const newScopes: _Scope[] = [];
    const names: string[] = [];
    for (const name of scopes) {
      const s = this.#scope(name);
      if (s.loaded) continue;
      if (s.loading !== undefined) waits.push(s.loading);
      else {
        newScopes.push(s);
        names.push(name);
      }
    }
    if (newScopes.length > 0) {
      const read = this.#readActive(names).finally(() => {
        for (const s of newScopes) {
          s.loaded = true;
          s.loading = undefined;
        }
      });
      for (const s of newScopes) s.loading = read;
      waits.push(read);
    }
    await Promise.all(waits);
  }

  /** Settled total of a counter (all instances as last read, plus this one's charges). */
  settled(k: CounterKey): number {
    const e = this.#entry(k);
    return e.global + e.flushing + e.unflushed;
  }

  /** Reserved total of a counter in this instance. */
  reserved(k: CounterKey): number {
    return this.#entry(k).reserved;
  }

  /** Charges `n` (a request, tokens, micro-dollars). */
  add(k: CounterKey, n: number): void {
    if (n > 0) this.#entry(k).unflushed += n;
  }

  /** Reserves `n` for a request in flight. */
  reserve(k: CounterKey, n: number): void {
    this.#entry(k).reserved += n;
  }

  /** Releases a reservation. */
  release(k: CounterKey, n: number): void {
    const e = this.#entry(k);
    e.reserved = Math.max(0, e.reserved - n);
  }

  /** Requests in flight in a scope: here, plus other live instances' as last read. */
  active(scope: string): number {
    const s = this.#scope(scope);
    return s.local + s.remote;
  }

  /** One more request in flight in `scope`. */
  enter(scope: string): void {
    this.#scope(scope).local++;
  }

  /** One request in flight in `scope` ended. */
  leave(scope: string): void {
    const s = this.#scope(scope);
    s.local = Math.max(0, s.local - 1);
  }

  /**
   * Sends the charges made here since the last call to KV (atomic `sum`),
   * publishes this instance's in-flight counts, then re-reads every watched
   * total, and forgets ended windows. Calls never overlap: a call made
   * while one runs waits for it and then runs again.
   */
  reconcile(): Promise<void> {
    const run = async () => {
      await this.#flush();
      await this.#refresh();
      this.#forget();
    };
    const next: Promise<void> = (this.#reconciling ?? Promise.resolve()).then(run, run)
      .finally(() => {
        if (this.#reconciling === next) this.#reconciling = undefined;
      });
    this.#reconciling = next;
    return next;
  }

  async #flush(): Promise<void> {
    const kv = this.#options.kv;
    if (kv === undefined) {
      for (const e of this.#entries.values()) {
        e.global += e.unflushed;
        e.unflushed = 0;
      }
      return;
    }
    const batch: { e: _Entry; n: number }[] = [];
    for (const e of this.#entries.values()) {
      if (e.unflushed <= 0) continue;
      batch.push({ e, n: e.unflushed });
      e.flushing += e.unflushed;
      e.unflushed = 0;
    }
    for (let i = 0; i < batch.length; i += CHUNK) {
      const part = batch.slice(i, i + CHUNK);
      const op = kv.atomic();
      for (const { e, n } of part) op.sum(e.key, BigInt(Math.round(n)));
      let ok = false;
      try {
        ok = (await op.commit()).ok;
      } finally {
        for (const { e, n } of part) {
          e.flushing -= n;
          if (ok) e.global += n;
          else e.unflushed += n;
        }
      }
    }
    const at = this.#options.now().getTime();
    const rows: { key: Deno.KvKey; n: number; s: _Scope }[] = [];
    for (const [scope, s] of this.#scopes) {
      if (s.local === 0 && s.published === 0) continue;
      rows.push({ key: [PREFIX, "active", scope, this.#options.instanceId], n: s.local, s });
    }
    for (let i = 0; i < rows.length; i += CHUNK) {
      const op = kv.atomic();
      for (const r of rows.slice(i, i + CHUNK)) {
        if (r.n === 0) op.delete(r.key);
        else op.set(r.key, { n: r.n, at }, { expireIn: this.#options.activeStaleMs });
      }
      if ((await op.commit()).ok) { for (const r of rows.slice(i, i + CHUNK)) r.s.published = r.n; }
    }
  }

  async #refresh(): Promise<void> {
    if (this.#options.kv === undefined) return;
    await this.#read([...this.#entries.values()]);
    await this.#readActive([...this.#scopes.keys()]);
  }

  async #read(entries: _Entry[]): Promise<void> {
    const kv = this.#options.kv!;
    const read = async (part: _Entry[]) => {
      // Eventual consistency: the nearest replica answers (Deno Deploy); the bound allows for it.
      const rows = await kv.getMany<unknown[]>(part.map((e) => e.key), { consistency: "eventual" });
      part.forEach((e, j) => {
        const value = rows[j]?.value;
        e.global = value instanceof Deno.KvU64
          ? Number(value.value)
          : typeof value === "bigint"
          ? Number(value)
          : 0;
      });
    };
    // `getMany` reads at most 10 keys; up to READS_AT_ONCE of them run together, so a user's
    // counters (a few dozen keys at most) are read in one round trip.
    const wave = GET_MANY_KEYS * READS_AT_ONCE;
    for (let i = 0; i < entries.length; i += wave) {
      const parts: _Entry[][] = [];
      const end = Math.min(entries.length, i + wave);
      for (let j = i; j < end; j += GET_MANY_KEYS) parts.push(entries.slice(j, j + GET_MANY_KEYS));
      await Promise.all(parts.map(read));
    }
  }

  async #readActive(scopes: string[]): Promise<void> {
    const kv = this.#options.kv!;
    const now = this.#options.now().getTime();
    for (const scope of scopes) {
      let remote = 0;
      for await (
        const row of kv.list<{ n: number; at: number }>(
          { prefix: [PREFIX, "active", scope] },
          { consistency: "eventual" },
        )
      ) {
        if (row.key[3] === this.#options.instanceId) continue;
        const v = row.value;
        if (typeof v?.n === "number" && now - v.at < this.#options.activeStaleMs) remote += v.n;
      }
      const s = this.#scopes.get(scope);
      if (s !== undefined) s.remote = remote;
    }
  }

  #forget(): void {
    const now = this.#options.now().getTime();
    for (const [id, e] of this.#entries) {
      if (e.endsAt <= now && e.unflushed === 0 && e.flushing === 0 && e.reserved === 0) {
        this.#entries.delete(id);
        // Minute windows (`m…`: requests, tokens, credits) are useless once over; days and months
        // stay as history.
        if (String(e.key[3]).startsWith("m")) this.#options.kv?.delete(e.key).catch(() => {});
      }
    }
    for (const [scope, s] of this.#scopes) {
      if (s.local === 0 && s.published === 0 && now - s.lastUsed > SCOPE_IDLE_MS) {
        this.#scopes.delete(scope);
      }
    }
  }

  #entry(k: CounterKey): _Entry {
    const id = `${k.scope}\u0000${k.window}\u0000${k.unit}`;
    let e = this.#entries.get(id);
    if (e === undefined) {
      e = {
        key: [PREFIX, "usage", k.scope, k.window, k.unit],
        endsAt: k.endsAt,
        global: 0,
        unflushed: 0,
        flushing: 0,
        reserved: 0,
        loaded: this.#options.kv === undefined,
      };
      this.#entries.set(id, e);
    }
    return e;
  }

  #scope(scope: string): _Scope {
    let s = this.#scopes.get(scope);
    if (s === undefined) {
      s = {
        local: 0,
        remote: 0,
        published: 0,
        lastUsed: 0,
        loaded: this.#options.kv === undefined,
      };
      this.#scopes.set(scope, s);
    }
    s.lastUsed = this.#options.now().getTime();
    return s;
  }
}
