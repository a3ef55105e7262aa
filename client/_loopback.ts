/**
 * Whether a URL names a loopback host: plain HTTP is allowed to those only
 * (the emulators in tests and local runs). Pure.
 *
 * @module
 */

/** Whether `url`'s host is `127.0.0.1`, `localhost` or `[::1]`. */
export function _isLoopback(url: URL): boolean {
  return ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
}
