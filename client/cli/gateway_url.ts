import { _isLoopback } from "../_loopback.ts";
import { UsageError } from "./exit_codes.ts";

/**
 * Checks the ccgate URL a command was given (`--url`, `CCGATE_URL`): https,
 * or plain http only to this machine (`localhost`, `127.0.0.1`, `[::1]`),
 * with no credentials, query or fragment (a path is fine: a gateway behind a
 * proxy's prefix). It goes into Claude Code's `ANTHROPIC_BASE_URL` and every
 * request, and the sign-in sends its Entra token where it leads, so a bad one
 * is refused before anything is sent or written: over plain http anyone on
 * the network between could read or answer in its place. The message never
 * repeats a password.
 *
 * @param url The URL as given.
 * @param what How the message starts (`Invalid --url`, `Cannot sign in`).
 * @returns The URL without trailing slashes.
 * @throws {UsageError} What is wrong with it (exit code 2).
 *
 * @example
 * ```ts
 * import { gatewayUrl } from "./gateway_url.ts";
 * console.assert(gatewayUrl("https://ccgate.example.com/", "Invalid --url") === "https://ccgate.example.com");
 * ```
 */
export function gatewayUrl(url: string, what: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`${what}: "${url}" is not a URL`);
  }
  if (parsed.username !== "" || parsed.password !== "") {
    throw new UsageError(`${what}: the URL must not carry a user name or password`);
  }
  const shown = `"${parsed.origin}${parsed.pathname}"`;
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new UsageError(`${what}: ${shown} must start with https:// (or http:// for a local one)`);
  }
  if (parsed.protocol === "http:" && !_isLoopback(parsed)) {
    throw new UsageError(
      `${what}: ${shown} is plain http to another machine, which would send sign-in and access tokens unencrypted: use https:// (plain http only for a local one: localhost, 127.0.0.1)`,
    );
  }
  if (parsed.search !== "" || parsed.hash !== "") {
    throw new UsageError(`${what}: the URL must have no query (?) or fragment (#)`);
  }
  return url.replace(/\/+$/, "");
}
