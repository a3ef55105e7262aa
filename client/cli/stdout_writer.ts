/** A stream written with `writeSync`: `Deno.stdout`, `Deno.stderr`. */
export interface SyncWriter {
  /** Writes some of `bytes`; returns how many. */
  writeSync(bytes: Uint8Array): number;
}

/**
 * Writes all of `text` to `stream`.
 *
 * @param stream Where to write.
 * @param text What to write (UTF-8).
 * @throws What the stream throws.
 */
export function writeAll(stream: SyncWriter, text: string): void {
  const bytes = new TextEncoder().encode(text);
  let written = 0;
  while (written < bytes.length) written += stream.writeSync(bytes.subarray(written));
}

/**
 * The CLI's standard output: writes all of each text, and once the reader
 * has left (a broken pipe: `ccgate token | head -c0`) drops the rest quietly,
 * as a Unix tool does. A reader that stops reading is not ccgate's error: the
 * command goes on and ends with its own exit code. Any other error is thrown.
 *
 * @param stream The standard output.
 * @returns A writer of whole texts.
 *
 * @example
 * ```ts
 * import { stdoutWriter } from "./stdout_writer.ts";
 * const write = stdoutWriter(Deno.stdout);
 * write("hello\n");
 * ```
 */
export function stdoutWriter(stream: SyncWriter): (text: string) => void {
  let readerGone = false;
  return (text) => {
    if (readerGone) return;
    try {
      writeAll(stream, text);
    } catch (err) {
      if (!(err instanceof Deno.errors.BrokenPipe)) throw err;
      readerGone = true;
    }
  };
}
