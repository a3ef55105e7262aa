import type { Context, Handler } from "hono";

/**
 * A handler whose module is loaded (and which is built) on its first request,
 * not at start-up: for routes that are rarely called and costly to build, like
 * the OpenAPI document. A failed load is retried on the next request.
 *
 * @param load Imports the module and builds the handler.
 * @returns The handler.
 *
 * @example
 * ```ts ignore
 * app.get("/openapi.json", lazyHandler(async () => (await import("./openapi_route.ts")).openApiRoute()));
 * ```
 */
export function lazyHandler(load: () => Promise<Handler>): Handler {
  let handler: Promise<Handler> | undefined;
  return async function lazy(c: Context, next) {
    handler ??= load().catch((err) => {
      handler = undefined;
      throw err;
    });
    return await (await handler)(c, next);
  };
}
