import type { Context, Handler } from "hono";
import { openApiDocument } from "./openapi_document.ts";

/**
 * `GET /openapi.json`: the gateway's OpenAPI 3.1 document (built once from
 * the handlers' zod schemas). Public: it describes the API, not the deployment.
 */
export function openApiRoute(): Handler {
  const body = JSON.stringify(openApiDocument());
  return function openApi(c: Context) {
    return c.body(body, 200, { "content-type": "application/json; charset=utf-8" });
  };
}
