/**
 * The UTF-8 source text of the large parts of a parsed JSON object: every
 * object or array value of its top level, and every object or array element
 * of its top-level arrays, found by one scan of the bytes that skips string
 * contents with `indexOf`. {@linkcode spliceJson} copies these bytes instead
 * of serialising the values again.
 *
 * @module
 */

/** Source bytes of parsed values, keyed by the parsed object or array itself. */
export type JsonSourceSlices = Map<object, Uint8Array>;

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACKET = 0x5b;
const BACKSLASH = 0x5c;
const RBRACKET = 0x5d;
const LBRACE = 0x7b;
const RBRACE = 0x7d;

const decoder = new TextDecoder();

/**
 * Maps the top-level object and array values of `parsed` (and the object and
 * array elements of its top-level arrays) to their bytes in `source`.
 *
 * `parsed` must be `JSON.parse` of `source`, not modified since: a repeated
 * key maps its last value, as `JSON.parse` keeps. Returns `undefined` when
 * `source` is not laid out as expected (the caller then serialises).
 *
 * @param source UTF-8 JSON text of an object (a leading BOM is skipped).
 * @param parsed The object parsed from it.
 * @returns The slices (views into `source`, not copies), or `undefined`.
 *
 * @example
 * ```ts
 * import { jsonSourceSlices } from "./json_source_slices.ts";
 * const source = new TextEncoder().encode('{"a": [ {"b":1}, 2 ], "c": 3}');
 * const parsed = JSON.parse(new TextDecoder().decode(source));
 * const slices = jsonSourceSlices(source, parsed)!;
 * console.assert(new TextDecoder().decode(slices.get(parsed.a)) === '[ {"b":1}, 2 ]');
 * console.assert(new TextDecoder().decode(slices.get(parsed.a[0])) === '{"b":1}');
 * ```
 */
export function jsonSourceSlices(
  source: Uint8Array,
  parsed: Record<string, unknown>,
): JsonSourceSlices | undefined {
  try {
    return _scan(source, parsed);
  } catch {
    return undefined;
  }
}

interface Member {
  start: number;
  end: number;
  /** [start, end] pairs of the elements when the value is an array. */
  elements?: number[];
}

function _scan(b: Uint8Array, parsed: Record<string, unknown>): JsonSourceSlices | undefined {
  let i = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  i = _skipWs(b, i);
  if (b[i] !== LBRACE) return undefined;
  i = _skipWs(b, i + 1);
  const members = new Map<string, Member>();
  if (b[i] !== RBRACE) {
    for (;;) {
      if (b[i] !== QUOTE) return undefined;
      const keyEnd = _stringEnd(b, i);
      const key = _key(b, i, keyEnd);
      i = _skipWs(b, keyEnd);
      if (b[i] !== COLON) return undefined;
      i = _skipWs(b, i + 1);
      const start = i;
      let member: Member;
      if (b[i] === LBRACKET) {
        const elements: number[] = [];
        i = _elements(b, i, elements);
        member = { start, end: i, elements };
      } else {
        i = _valueEnd(b, i);
        member = { start, end: i };
      }
      members.delete(key); // a repeated key keeps its last value, as JSON.parse does
      members.set(key, member);
      i = _skipWs(b, i);
      if (b[i] === COMMA) {
        i = _skipWs(b, i + 1);
        continue;
      }
      if (b[i] === RBRACE) break;
      return undefined;
    }
  }
  const slices: JsonSourceSlices = new Map();
  for (const [key, member] of members) {
    const value = Object.hasOwn(parsed, key) ? parsed[key] : undefined;
    if (value === null || typeof value !== "object") continue;
    slices.set(value, b.subarray(member.start, member.end));
    if (member.elements === undefined || !Array.isArray(value)) continue;
    if (member.elements.length !== value.length * 2) return undefined;
    for (let e = 0; e < value.length; e++) {
      const element = value[e];
      if (element === null || typeof element !== "object") continue;
      slices.set(element, b.subarray(member.elements[2 * e]!, member.elements[2 * e + 1]!));
    }
  }
  return slices;
}

function _skipWs(b: Uint8Array, i: number): number {
  while (i < b.length) {
    const c = b[i];
    if (c !== SPACE && c !== LF && c !== CR && c !== TAB) break;
    i++;
  }
  return i;
}

/** Index just past the string that opens at `i` (which holds a quote). */
function _stringEnd(b: Uint8Array, i: number): number {
  let from = i + 1;
  for (;;) {
    const quote = b.indexOf(QUOTE, from);
    if (quote < 0) throw new SyntaxError("unterminated string");
    let backslashes = 0;
    for (let k = quote - 1; b[k] === BACKSLASH; k--) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

function _key(b: Uint8Array, start: number, end: number): string {
  const inner = b.subarray(start + 1, end - 1);
  return inner.includes(BACKSLASH)
    ? JSON.parse(decoder.decode(b.subarray(start, end)))
    : decoder.decode(inner);
}

/** Index just past the value that starts at `i`. */
function _valueEnd(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c === QUOTE) return _stringEnd(b, i);
  if (c === LBRACE || c === LBRACKET) {
    let depth = 0;
    while (i < b.length) {
      const d = b[i];
      if (d === QUOTE) {
        i = _stringEnd(b, i);
        continue;
      }
      if (d === LBRACE || d === LBRACKET) depth++;
      else if (d === RBRACE || d === RBRACKET) {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    throw new SyntaxError("unterminated value");
  }
  while (i < b.length) {
    const d = b[i];
    if (
      d === COMMA || d === RBRACE || d === RBRACKET || d === SPACE || d === LF || d === CR ||
      d === TAB
    ) break;
    i++;
  }
  return i;
}

/** Scans the array that opens at `i`, pushing each element's [start, end]; returns its end. */
function _elements(b: Uint8Array, i: number, out: number[]): number {
  i = _skipWs(b, i + 1);
  if (b[i] === RBRACKET) return i + 1;
  for (;;) {
    const end = _valueEnd(b, i);
    out.push(i, end);
    i = _skipWs(b, end);
    if (b[i] === COMMA) {
      i = _skipWs(b, i + 1);
      continue;
    }
    if (b[i] === RBRACKET) return i + 1;
    throw new SyntaxError("expected , or ]");
  }
}
