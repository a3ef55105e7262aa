/** Anything with a fetch handler: a Hono app. */
export interface FetchApp {
  fetch: (request: Request, env?: unknown) => Response | Promise<Response>;
}

/** The paths the auth service owns; everything else is the gateway's. */
export const AUTH_PATHS: RegExp = /^\/(?:oauth\/|\.well-known\/|admin\/sessions(?:\/|$))/;

/**
 * Serves the auth service and the gateway on one origin, as the local default
 * and the single-app Deno Deploy deployment do: `/oauth/*`, `/.well-known/*`
 * and `/admin/sessions*` go to auth, everything else (and so every 404, in
 * Anthropic's error shape) to the gateway.
 *
 * @param auth The auth app.
 * @param gateway The gateway app.
 * @returns A `Deno.serve` handler.
 */
export function composeApp(
  auth: FetchApp,
  gateway: FetchApp,
): (request: Request, info: Deno.ServeHandlerInfo) => Response | Promise<Response> {
  return (request, info) => {
    const path = new URL(request.url).pathname;
    return AUTH_PATHS.test(path)
      ? auth.fetch(request, { remoteAddr: info.remoteAddr })
      : gateway.fetch(request, { remoteAddr: info.remoteAddr });
  };
}
