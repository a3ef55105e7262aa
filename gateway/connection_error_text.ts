/** Longest text {@linkcode connectionErrorText} returns. */
export const MAX_CONNECTION_ERROR_TEXT = 300;

/**
 * What an operator needs to know of a failure to reach a service, for a log
 * line or a readiness detail: the error's name and, for a network failure
 * (an error with no HTTP answer: `fetch` failing to connect, DNS, TLS, a
 * reset), the messages down its `cause` chain, so that "dns error", "Connection
 * refused" and "certificate" are told apart where a bare `TypeError` said
 * nothing. An error that carries an HTTP answer (the AWS SDK's `$metadata`
 * status, or a `status`) gives its name only: a service's message may quote
 * the request. URLs lose their credentials and query, the text is one line,
 * at most {@linkcode MAX_CONNECTION_ERROR_TEXT} characters. Pure.
 *
 * @param err What was thrown.
 * @returns The text.
 *
 * @example
 * ```ts
 * import { connectionErrorText } from "./connection_error_text.ts";
 * const err = new TypeError("error sending request for url (https://u:p@kv.example.com/x?t=1)", {
 *   cause: new Error("client error (Connect): dns error: failed to lookup address information"),
 * });
 * const text = connectionErrorText(err);
 * console.assert(text.includes("dns error") && !text.includes("u:p") && !text.includes("t=1"));
 * ```
 */
export function connectionErrorText(err: unknown): string {
  if (!(err instanceof Error)) return typeof err;
  const name = /^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(err.name) ? err.name : "Error";
  if (_answered(err)) return name;
  const messages: string[] = [];
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; depth++) {
    const message = _clean(e.message);
    if (message !== "" && !messages.some((m) => m.includes(message))) messages.push(message);
    e = e.cause;
  }
  const text = messages.length === 0 ? name : `${name}: ${messages.join(": ")}`;
  return text.length <= MAX_CONNECTION_ERROR_TEXT
    ? text
    : `${text.slice(0, MAX_CONNECTION_ERROR_TEXT - 1)}…`;
}

function _answered(err: Error): boolean {
  const status = (err as { $metadata?: { httpStatusCode?: unknown }; status?: unknown })
    .$metadata?.httpStatusCode ?? (err as { status?: unknown }).status;
  return typeof status === "number";
}

function _clean(message: string): string {
  return message
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, "$1")
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s?#)]*)[?#][^\s)]*/gi, "$1")
    .replace(/[\r\n\t]+/g, " ")
    .trim();
}
