/**
 * The number of bytes `text` takes in UTF-8, as `TextEncoder` would encode
 * it (a lone surrogate as U+FFFD, 3 bytes), without encoding it: no buffer
 * is allocated, so it costs a fraction of `encode(text).length` for the
 * short strings it is used on (KV key parts). Pure.
 *
 * @param text The string.
 * @returns Its UTF-8 length in bytes.
 *
 * @example
 * ```ts
 * import { utf8Length } from "./utf8_length.ts";
 * console.assert(utf8Length("usage") === 5);
 * console.assert(utf8Length("é€😀") === 2 + 3 + 4);
 * ```
 */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) continue;
    if (unit < 0x800) bytes += 1;
    else if (
      unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length &&
      (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00
    ) {
      // A surrogate pair: two units, four bytes.
      bytes += 2;
      i++;
    } else bytes += 2;
  }
  return bytes;
}
