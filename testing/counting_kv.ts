/**
 * A real Deno KV whose reads are counted: what tests of "this costs at most
 * so many KV reads, however many requests" measure with. Every call goes to
 * the real KV; only `get`, `getMany` and `list` are counted.
 *
 * @module
 */

/** KV reads counted so far. */
export interface KvReads {
  /** `get` and `getMany` calls (a `getMany` counts once). */
  gets: number;
  /** Keys read by `get` and `getMany`. */
  keys: number;
  /** `list` calls. */
  lists: number;
  /** Entries the `list` calls yielded. */
  listed: number;
}

/**
 * Wraps `kv` so its reads are counted in `reads`.
 *
 * @param kv The real KV (the caller closes it).
 * @returns The same KV, counted, and the counts.
 */
export function countingKv(kv: Deno.Kv): { kv: Deno.Kv; reads: KvReads } {
  const reads: KvReads = { gets: 0, keys: 0, lists: 0, listed: 0 };
  const counted = new Proxy(kv, {
    get(target, prop) {
      if (prop === "get") {
        return (key: Deno.KvKey, options?: { consistency?: Deno.KvConsistencyLevel }) => {
          reads.gets++;
          reads.keys++;
          return target.get(key, options);
        };
      }
      if (prop === "getMany") {
        return (keys: Deno.KvKey[], options?: { consistency?: Deno.KvConsistencyLevel }) => {
          reads.gets++;
          reads.keys += keys.length;
          return target.getMany(keys, options);
        };
      }
      if (prop === "list") {
        return (selector: Deno.KvListSelector, options?: Deno.KvListOptions) => {
          reads.lists++;
          const iterator = target.list(selector, options);
          return {
            get cursor() {
              return iterator.cursor;
            },
            async *[Symbol.asyncIterator]() {
              for await (const entry of iterator) {
                reads.listed++;
                yield entry;
              }
            },
          };
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { kv: counted, reads };
}
