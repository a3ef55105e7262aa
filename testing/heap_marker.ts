/**
 * A random text whose presence among the V8 heap's live strings a test can
 * check: put it in a request field that the code under test parses but never
 * forwards, then ask whether anything still holds the parse.
 *
 * The marker keeps only its bytes, so that the test itself holds no copy of
 * the string; {@linkcode HeapMarker.heldByHeap} writes a heap snapshot (V8
 * runs a full garbage collection first) and looks for the text among its
 * strings. Bytes are not in a snapshot, only their sizes: for those, see
 * `heapBuffersOfLength`.
 *
 * @module
 */
import { readHeapSnapshot } from "./read_heap_snapshot.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A random marker text; see the module doc. */
export class HeapMarker {
  readonly #bytes = encoder.encode(
    `marker-${Array.from(crypto.getRandomValues(new Uint8Array(16)), _hex).join("")}`,
  );

  /** A new string of the marker's text (give it away; do not keep it). */
  text(): string {
    return decoder.decode(this.#bytes);
  }

  /**
   * Posts `build(text)` as JSON bytes, so that neither the caller nor the
   * client's `fetch` keeps a string of the marker's text.
   *
   * @param url Where to post.
   * @param build The body, around the marker's text.
   * @param init Headers (`content-type` is JSON) and signal.
   * @returns The response, as `fetch` gives it.
   */
  post(
    url: string,
    build: (text: string) => unknown,
    init: { headers?: Record<string, string>; signal?: AbortSignal } = {},
  ): Promise<Response> {
    return fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...init.headers },
      body: encoder.encode(JSON.stringify(build(this.text()))),
      signal: init.signal,
    });
  }

  /**
   * Whether a live string of the heap is exactly the marker's text.
   *
   * @returns `true` when something still holds the marker.
   */
  async heldByHeap(): Promise<boolean> {
    const snapshot = await readHeapSnapshot();
    // A snapshot lists every string once in its `strings` table, JSON-quoted.
    return _indexOf(snapshot, encoder.encode(`"${this.text()}"`)) >= 0;
  }
}

function _hex(byte: number): string {
  return byte.toString(16).padStart(2, "0");
}

function _indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  for (let i = haystack.indexOf(needle[0]!); i >= 0; i = haystack.indexOf(needle[0]!, i + 1)) {
    if (i + needle.length > haystack.length) return -1;
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}
