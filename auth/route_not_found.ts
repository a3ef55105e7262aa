import type { Hono, NotFoundHandler } from "hono";
import { allowedMethods } from "../gateway/allowed_methods.ts";
import { MethodNotAllowedError, RouteNotFoundError } from "./errors.ts";

/**
 * The auth service's answer to a request no route took, thrown so the one
 * `onError` writes it in the RFC 6749 §5.2 shape of every other auth error:
 *
 * - a path the app serves, but not with this method (`GET /oauth/token`):
 *   405 with `Allow` listing the methods it does serve (`HEAD` with `GET`,
 *   as Hono answers it);
 * - any other path (`GET /oauth/nope`): 404.
 *
 * Both say `"error": "invalid_request"`: §5.2 has no value for an unknown
 * endpoint or a wrong method, and `invalid_request` ("... or is otherwise
 * malformed") is the registered value every OAuth client already handles.
 * (`not_found` stays the admin API's "no such session": a missing resource,
 * not a missing route.) The status tells the two apart and the stable codes
 * `route_not_found` and `method_not_allowed` do in logs.
 *
 * The allowed methods come from the app's own route table
 * (`allowedMethods`, shared with the gateway), read when a request misses,
 * so they cannot drift from the route declarations.
 *
 * @param app The app whose routes are all declared by the time a request comes.
 * @returns The handler for `app.notFound`.
 *
 * @example
 * ```ts ignore
 * app.notFound(routeNotFound(app));
 * ```
 */
export function routeNotFound(app: Hono): NotFoundHandler {
  return function routeNotFound(c): never {
    const allow = allowedMethods(app, c.req.path);
    if (allow.length > 0) throw new MethodNotAllowedError(c.req.method, allow);
    throw new RouteNotFoundError();
  };
}
