import { Hono } from "hono";

/** A route as Hono lists it (`app.routes`). */
export interface RouteEntry {
  method: string;
  path: string;
}

/**
 * The methods an app answers for a path, from its route list: what a 405's
 * `Allow` header says for a path that exists under another method. Routes of
 * every method (middleware, `method` `ALL`) are left out: they answer
 * nothing on their own. `HEAD` goes with `GET`, as Hono serves it.
 *
 * @param routes The app's routes (`app.routes`), read when first asked.
 * @returns The methods for a path, empty when no route has it.
 *
 * @example
 * ```ts
 * import { allowedMethods } from "./allowed_methods.ts";
 * const allow = allowedMethods([{ method: "POST", path: "/v1/messages" }]);
 * console.assert(allow("/v1/messages").join() === "POST");
 * ```
 */
export function allowedMethods(routes: readonly RouteEntry[]): (path: string) => string[] {
  let probe: Hono | undefined;
  let methods: string[] = [];
  return (path) => {
    if (probe === undefined) {
      probe = new Hono();
      for (const route of routes) {
        if (route.method !== "ALL") probe.on(route.method, route.path, (c) => c.body(null));
      }
      methods = [...new Set(routes.map((r) => r.method).filter((m) => m !== "ALL"))];
    }
    const allowed = methods.filter((m) => probe!.router.match(m, path)[0].length > 0);
    if (allowed.includes("GET") && !allowed.includes("HEAD")) allowed.push("HEAD");
    return allowed;
  };
}
