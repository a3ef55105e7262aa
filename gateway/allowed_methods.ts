import type { Hono } from "hono";

/**
 * The methods an app's routes answer for a path, from its own route table
 * (`app.routes`, matched with `app.router`), so that a 405's `Allow` cannot
 * drift from the route declarations. Middleware (method `ALL`) answers
 * nothing on its own and does not count; `HEAD` goes with `GET`, as Hono
 * serves it. Used by the gateway and the auth service on a miss.
 *
 * @param app The app, its routes declared.
 * @param path The request's path.
 * @returns The methods, sorted; empty when no route has the path.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { allowedMethods } from "./allowed_methods.ts";
 * const app = new Hono().post("/v1/messages", (c) => c.body(null));
 * console.assert(allowedMethods(app, "/v1/messages").join() === "POST");
 * ```
 */
export function allowedMethods(app: Hono, path: string): string[] {
  const methods = new Set(app.routes.map((route) => route.method));
  methods.delete("ALL");
  const allow = new Set<string>();
  for (const method of methods) {
    for (const [[, route]] of app.router.match(method, path)[0]) {
      if (route.method === method) allow.add(method);
    }
  }
  if (allow.has("GET")) allow.add("HEAD");
  return [...allow].sort();
}
