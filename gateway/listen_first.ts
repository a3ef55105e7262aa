/**
 * Binding the port before the apps' modules load, so that a process that is
 * starting already answers `/healthz` (the process is alive) while `/readyz`
 * stays 503 until the app is installed. Imports nothing: the server entry
 * points import this statically and everything else dynamically.
 *
 * @module
 */

/** Where to listen, read from `PORT` and `HOSTNAME` without the full settings schema. */
export interface ListenAddress {
  /** Interface to bind. */
  hostname: string;
  /** TCP port; `0` picks a free one. */
  port: number;
}

/**
 * Reads `PORT` (default 8080) and `HOSTNAME` the way `server_env.ts` accepts
 * them, cheaply. Returns `undefined` when either is not plainly valid: the
 * caller then leaves the refusal (and its message) to `loadServerEnv`.
 *
 * @param env The environment.
 * @param defaultHostname The interface to bind when `HOSTNAME` is unset.
 * @returns The address, or `undefined` when the settings need the full check.
 *
 * @example
 * ```ts
 * import { listenAddress } from "./listen_first.ts";
 * const address = listenAddress({ PORT: "0" }, "127.0.0.1");
 * console.assert(address?.port === 0 && address.hostname === "127.0.0.1");
 * ```
 */
export function listenAddress(
  env: Record<string, string | undefined>,
  defaultHostname: string,
): ListenAddress | undefined {
  const rawPort = env.PORT;
  let port = 8080;
  if (rawPort !== undefined) {
    if (!/^\d+$/.test(rawPort)) return undefined;
    port = Number(rawPort);
    if (port > 65_535) return undefined;
  }
  const rawHostname = env.HOSTNAME;
  if (rawHostname === undefined) return { hostname: defaultHostname, port };
  const hostname = rawHostname.trim();
  return hostname === "" ? undefined : { hostname, port };
}

/**
 * Gives the event loop a turn, so that a server bound with
 * {@linkcode listenFirst} answers what is waiting between two stages of
 * module loading (loading a module graph holds the thread until it is
 * evaluated).
 *
 * @returns A promise that resolves on the next turn of the event loop.
 */
export function yieldToRequests(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** A server bound ahead of its app. */
export interface EarlyServer {
  /** The running server (its `addr` names the real port when `0` was asked for). */
  server: Deno.HttpServer<Deno.NetAddr>;
  /** Installs the app: every later request goes to `handler`. */
  serve(handler: Deno.ServeHandler<Deno.NetAddr>): void;
}

const STARTING_HEADERS = { "content-type": "application/json", "retry-after": "1" };

/** What a starting process answers: alive on `/healthz`, 503 everywhere else. */
function starting(request: Request): Response {
  const { pathname } = new URL(request.url);
  if (pathname === "/healthz") {
    return new Response('{"status":"ok"}', { headers: { "content-type": "application/json" } });
  }
  const body = pathname === "/readyz"
    ? '{"status":"not_ready","checks":[{"name":"startup","ok":false,"detail":"starting"}]}'
    : '{"type":"error","error":{"type":"overloaded_error","message":"ccgate is starting"}}';
  return new Response(body, { status: 503, headers: STARTING_HEADERS });
}

/**
 * Binds `address` now and answers as a starting process until
 * {@linkcode EarlyServer.serve} installs the app.
 *
 * @param address Where to listen.
 * @returns The server and the way to install the app.
 *
 * @example
 * ```ts ignore
 * const early = listenFirst({ hostname: "127.0.0.1", port: 0 });
 * const { createApp } = await import("./app.ts");
 * early.serve(createApp(deps).fetch);
 * ```
 */
export function listenFirst(address: ListenAddress): EarlyServer {
  let handler: Deno.ServeHandler<Deno.NetAddr> = starting;
  const server = Deno.serve(
    { hostname: address.hostname, port: address.port, onListen() {} },
    (request, info) => handler(request, info),
  );
  return {
    server,
    serve(app) {
      handler = app;
    },
  };
}
