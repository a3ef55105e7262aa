/**
 * The nesting depth of a parsed JSON value, counted up to `limit + 1` and
 * no further: a scalar is 0, `[]` and `{}` are 1, `[[1]]` is 2. Strings are
 * not scanned, so the cost is one visit per array element and object member.
 *
 * @param value A value from `JSON.parse`.
 * @param limit Stop once the depth is known to exceed this.
 * @returns The depth, or `limit + 1` when it is deeper than `limit`.
 *
 * @example
 * ```ts
 * import { jsonDepth } from "./json_depth.ts";
 * console.assert(jsonDepth({ a: [{ b: 1 }] }, 10) === 3);
 * console.assert(jsonDepth([[[[]]]], 2) === 3);
 * ```
 */
export function jsonDepth(value: unknown, limit: number): number {
  return _depth(value, 0, limit);
}

function _depth(value: unknown, level: number, limit: number): number {
  if (value === null || typeof value !== "object") return level;
  const here = level + 1;
  if (here > limit) return here;
  let deepest = here;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (item !== null && typeof item === "object") {
        const d = _depth(item, here, limit);
        if (d > limit) return d;
        if (d > deepest) deepest = d;
      }
    }
  } else {
    for (const key in value) {
      const item = (value as Record<string, unknown>)[key];
      if (item !== null && typeof item === "object") {
        const d = _depth(item, here, limit);
        if (d > limit) return d;
        if (d > deepest) deepest = d;
      }
    }
  }
  return deepest;
}
