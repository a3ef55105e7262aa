/**
 * A local TCP port nothing listens on: bound, then closed, so a connection
 * to it is refused at once (an unreachable Bedrock region, a KV host that
 * is down).
 *
 * @returns The port.
 *
 * @example
 * ```ts
 * import { closedPort } from "./closed_port.ts";
 * const endpoint = `http://127.0.0.1:${closedPort()}`;
 * ```
 */
export function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}
