/** Base64 characters decoded at a time (a multiple of 4): about 750 KB of PDF. */
const CHUNK_CHARS = 1 << 20;
/** Characters before `/Page` that `/Type` and the white space after it may take. */
const LOOK_BACK = 16;
/** Characters after the start of `/Page` that deciding needs (`/Page` and the next one). */
const LOOK_AHEAD = 8;
/** The most white space between `/Type` and `/Page` that is looked through. */
const MAX_SPACE = 8;

/**
 * The number of pages of a base64-encoded PDF, counted as its page objects
 * (`/Type /Page`). The PDF is decoded a chunk at a time, never whole. A PDF
 * whose page objects sit in compressed object streams (PDF 1.5 and later
 * writers may do that) shows none: `undefined`, as for data that is not a PDF.
 * Page objects left over from earlier revisions are counted too. Pure.
 *
 * @param data The PDF's base64 text (a `document` block's `source.data`).
 * @returns The page count, or `undefined` when no page object can be seen.
 *
 * @example
 * ```ts
 * import { pdfPageCount } from "./pdf_page_count.ts";
 * const pdf = "%PDF-1.4\n1 0 obj << /Type /Pages /Kids [2 0 R] /Count 1 >> endobj\n" +
 *   "2 0 obj << /Type /Page /Parent 1 0 R >> endobj\n%%EOF\n";
 * console.assert(pdfPageCount(btoa(pdf)) === 1);
 * ```
 */
export function pdfPageCount(data: string): number | undefined {
  let pages = 0;
  let carried = "";
  let uncounted = 0; // characters at the end of `carried` whose `/Page` was not decided yet
  for (let at = 0; at < data.length; at += CHUNK_CHARS) {
    let text: string;
    try {
      text = atob(data.slice(at, at + CHUNK_CHARS));
    } catch {
      return undefined;
    }
    // A PDF reader accepts its header anywhere in the first 1,024 bytes.
    if (at === 0 && !text.slice(0, 1024).includes("%PDF-")) return undefined;
    const window = carried + text;
    const last = at + CHUNK_CHARS >= data.length;
    const until = last ? window.length : window.length - LOOK_AHEAD;
    // indexOf, not a regular expression: 20 MB in about 25 ms instead of 100.
    let page = window.indexOf("/Page", carried.length - uncounted);
    for (; page >= 0 && page < until; page = window.indexOf("/Page", page + 1)) {
      if (_isPageObject(window, page)) pages++;
    }
    carried = window.slice(Math.max(0, until - LOOK_BACK));
    uncounted = window.length - until;
  }
  return pages > 0 ? pages : undefined;
}

/** Whether the `/Page` at `at` is a type entry `/Type /Page` (not `/Pages`, `/PageLabels`, ...). */
function _isPageObject(text: string, at: number): boolean {
  const next = text.charCodeAt(at + 5);
  if ((next >= 65 && next <= 90) || (next >= 97 && next <= 122)) return false;
  let start = at;
  while (start > 0 && at - start < MAX_SPACE && _isWhiteSpace(text.charCodeAt(start - 1))) start--;
  return text.startsWith("/Type", start - 5);
}

/** PDF white space: NUL, tab, line feed, form feed, carriage return, space. */
function _isWhiteSpace(code: number): boolean {
  return code === 0 || code === 9 || code === 10 || code === 12 || code === 13 || code === 32;
}
