/**
 * Binding the port before the apps' modules load, so that a process that is
 * starting already answers `/healthz` (the process is alive) while `/readyz`
 * stays 503 and other requests wait until the app is installed. Imports only `errors.ts` and
 * `log.ts` (no imports of their own, and loaded by the app anyway): the server entry points
 * import this statically and everything else dynamically.
 *
 * @module
 */
import { ListenError } from "./errors.ts";
import { jsonLog, type Log } from "./log.ts";

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
 * How many turns {@linkcode yieldToRequests} gives: a request already sent
 * is with its handler after one; a connection that arrives during the first
 * turn (a health check polling the port it just bound) after the second.
 */
export const YIELD_TURNS = 2;

/**
 * Gives the event loop a few turns, each through its I/O poll, so that a
 * server bound with {@linkcode listenFirst} answers what is waiting between
 * two stages of module loading (loading a module graph holds the thread until
 * it is evaluated).
 *
 * Each turn waits for a timer of 0 ms, so the runtime parks on its sockets
 * until the timer is due. The timer is `AbortSignal.timeout`'s, not
 * `setTimeout`: Deno's first `setTimeout` loads its Node.js timers (11–17 ms
 * of this thread, measured on 2.9.6), which would come before the answer.
 * An operation that completes on another thread is no turn: it can complete
 * before the runtime parks.
 *
 * @returns A promise that resolves after {@linkcode YIELD_TURNS} turns.
 */
export async function yieldToRequests(): Promise<void> {
  for (let turn = 0; turn < YIELD_TURNS; turn++) {
    const signal = AbortSignal.timeout(0);
    await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
  }
}

/** A server bound ahead of its app. */
export interface EarlyServer {
  /** The running server (its `addr` names the real port when `0` was asked for). */
  server: Deno.HttpServer<Deno.NetAddr>;
  /** Installs the app: every later request, and every request held until now, goes to `handler`. */
  serve(handler: Deno.ServeHandler<Deno.NetAddr>): void;
  /** Requests waiting for the app now. */
  readonly held: number;
}

/** Options of {@linkcode listenFirst}. */
export interface ListenFirstOptions {
  /**
   * How long a request that arrives while the process is starting waits for
   * the app before it is answered 503 (`/healthz` and `/readyz` never wait), ms.
   * @default {10000}
   */
  holdMs?: number;
  /**
   * Where an error that escapes the app goes: one record, `"msg":"response
   * failed"` with the error's name and message, never its stack. Such an
   * error is a response body stream that fails after the status was sent
   * (a CSV export whose KV read fails: the client sees the transfer cut) or
   * a handler that throws (answered 500 `api_error`); without this, Deno
   * prints the error's stack to stderr, several lines outside the JSON log.
   * @default {jsonLog()}
   */
  log?: Log;
}

const STARTING_HEADERS = { "content-type": "application/json", "retry-after": "1" };

function _notReady(): Response {
  return new Response(
    '{"status":"not_ready","checks":[{"name":"startup","ok":false,"detail":"starting"}]}',
    { status: 503, headers: STARTING_HEADERS },
  );
}

function _starting(): Response {
  return new Response(
    '{"type":"error","error":{"type":"overloaded_error","message":"ccgate is starting"}}',
    { status: 503, headers: STARTING_HEADERS },
  );
}

function _failed(log: Log, err: unknown): Response {
  log({
    level: "error",
    msg: "response failed",
    error: err instanceof Error ? err.name : typeof err,
    detail: err instanceof Error ? err.message.slice(0, 500) : undefined,
  });
  return new Response(
    '{"type":"error","error":{"type":"api_error","message":"Internal error"}}',
    { status: 500, headers: { "content-type": "application/json" } },
  );
}

/**
 * Binds `address` now and answers as a starting process until
 * {@linkcode EarlyServer.serve} installs the app: `/healthz` 200 (the process
 * is alive), `/readyz` 503 (not ready yet), and every other request waits for
 * the app, up to `holdMs`, so that the request that woke a cold instance (a
 * Deno Deploy isolate, a container behind a load balancer that sends traffic
 * once the port is open) is answered by the app, a little later, rather than
 * refused.
 *
 * @param address Where to listen.
 * @param options How long a request waits for the app; where errors that escape it are logged.
 * @returns The server and the way to install the app.
 * @throws {ListenError} When the address is in use or not permitted (a one-line message).
 *
 * @example
 * ```ts ignore
 * const early = listenFirst({ hostname: "127.0.0.1", port: 0 });
 * const { createApp } = await import("./app.ts");
 * early.serve(createApp(deps).fetch);
 * ```
 */
export function listenFirst(address: ListenAddress, options: ListenFirstOptions = {}): EarlyServer {
  const holdMs = options.holdMs ?? 10_000;
  const installed = Promise.withResolvers<Deno.ServeHandler<Deno.NetAddr>>();
  let held = 0;
  const starting = async (
    request: Request,
    info: Deno.ServeHandlerInfo<Deno.NetAddr>,
  ): Promise<Response> => {
    const { pathname } = new URL(request.url);
    if (pathname === "/healthz") {
      return new Response('{"status":"ok"}', { headers: { "content-type": "application/json" } });
    }
    if (pathname === "/readyz") return _notReady();
    if (holdMs <= 0) return _starting();
    held++;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let app: Deno.ServeHandler<Deno.NetAddr> | undefined;
    try {
      app = await Promise.race([
        installed.promise,
        new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), holdMs))),
      ]);
    } finally {
      held--;
      clearTimeout(timer);
    }
    return app === undefined ? _starting() : await app(request, info);
  };
  let handler: Deno.ServeHandler<Deno.NetAddr> = starting;
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    const log = options.log ?? jsonLog();
    server = Deno.serve(
      {
        hostname: address.hostname,
        port: address.port,
        onListen() {},
        onError: (err) => _failed(log, err),
      },
      (request, info) => handler(request, info),
    );
  } catch (err) {
    const where = `${address.hostname}:${address.port}`;
    if (err instanceof Deno.errors.AddrInUse) {
      throw new ListenError(`${where} is already in use: stop what listens there, or set PORT`, {
        cause: err,
      });
    }
    if (
      err instanceof Deno.errors.PermissionDenied || err instanceof Deno.errors.AddrNotAvailable
    ) {
      throw new ListenError(`cannot listen on ${where}: ${err.message}`, { cause: err });
    }
    throw err;
  }
  return {
    server,
    serve(app) {
      handler = app;
      installed.resolve(app);
    },
    get held() {
      return held;
    },
  };
}

/**
 * {@linkcode listenFirst}, or `fail` with the one-line reason when the
 * address is taken or not permitted: what a server's entry point does.
 *
 * @param address Where to listen.
 * @param fail Stops the process with a message (the entry point's).
 * @param options How long a request waits for the app.
 * @returns The server and the way to install the app.
 *
 * @example
 * ```ts ignore
 * const early = listenFirstOrFail({ hostname: "127.0.0.1", port: 8080 }, (m) => {
 *   console.error(m);
 *   Deno.exit(1);
 * });
 * ```
 */
export function listenFirstOrFail(
  address: ListenAddress,
  fail: (message: string) => never,
  options: ListenFirstOptions = {},
): EarlyServer {
  try {
    return listenFirst(address, options);
  } catch (err) {
    if (err instanceof ListenError) fail(err.message);
    throw err;
  }
}
