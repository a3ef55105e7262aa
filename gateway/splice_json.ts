import type { JsonSourceSlices } from "./json_source_slices.ts";

const encoder = new TextEncoder();
const OPEN_BRACE = encoder.encode("{");
const CLOSE_BRACE = encoder.encode("}");
const OPEN_BRACKET = encoder.encode("[");
const CLOSE_BRACKET = encoder.encode("]");
const COMMA = encoder.encode(",");
const NULL = encoder.encode("null");

/**
 * Serialises a JSON object as UTF-8, copying the source bytes of every value
 * (or element of an array value) found in `slices` instead of serialising it
 * again: for a translation that keeps most of a large request untouched (the
 * system prompt, the tool definitions, earlier turns) this skips both
 * `JSON.stringify` and UTF-8 encoding of those parts. Everything else is
 * serialised with `JSON.stringify`, so the result parses to the same value as
 * `JSON.stringify(value)` does, with the same key order.
 *
 * @param value A plain JSON object (no `toJSON`, no cycles).
 * @param slices Source bytes of some of its values (see `jsonSourceSlices`).
 * @returns The JSON text, UTF-8.
 *
 * @example
 * ```ts
 * import { jsonSourceSlices } from "./json_source_slices.ts";
 * import { spliceJson } from "./splice_json.ts";
 * const source = new TextEncoder().encode('{"model":"m","tools":[ {"name":"t"} ]}');
 * const parsed = JSON.parse(new TextDecoder().decode(source));
 * const out = spliceJson({ v: 1, tools: parsed.tools }, jsonSourceSlices(source, parsed)!);
 * console.assert(new TextDecoder().decode(out) === '{"v":1,"tools":[ {"name":"t"} ]}');
 * ```
 */
export function spliceJson(value: Record<string, unknown>, slices: JsonSourceSlices): Uint8Array {
  const parts: Uint8Array[] = [OPEN_BRACE];
  let text = "";
  let first = true;
  for (const key of Object.keys(value)) {
    const member = value[key];
    if (member === undefined || typeof member === "function" || typeof member === "symbol") {
      continue;
    }
    text += `${first ? "" : ","}${JSON.stringify(key)}:`;
    first = false;
    const slice = member !== null && typeof member === "object" ? slices.get(member) : undefined;
    if (slice !== undefined) {
      parts.push(encoder.encode(text), slice);
      text = "";
    } else if (Array.isArray(member) && member.some((e) => e !== null && slices.has(e))) {
      parts.push(encoder.encode(text));
      text = "";
      _array(member, slices, parts);
    } else {
      text += JSON.stringify(member);
    }
  }
  parts.push(encoder.encode(text), CLOSE_BRACE);
  return _concat(parts);
}

function _array(array: unknown[], slices: JsonSourceSlices, parts: Uint8Array[]): void {
  parts.push(OPEN_BRACKET);
  for (let i = 0; i < array.length; i++) {
    if (i > 0) parts.push(COMMA);
    const element = array[i];
    const slice = element !== null && typeof element === "object" ? slices.get(element) : undefined;
    if (slice !== undefined) parts.push(slice);
    else {
      // As JSON.stringify: undefined, functions and symbols in an array are null.
      const json = JSON.stringify(element) as string | undefined;
      parts.push(json === undefined ? NULL : encoder.encode(json));
    }
  }
  parts.push(CLOSE_BRACKET);
}

function _concat(parts: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const part of parts) size += part.byteLength;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}
