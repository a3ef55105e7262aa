import type { Context, Handler } from "hono";
import type { GatewayDeps } from "./app.ts";
import { modelListQuerySchema } from "./anthropic_schemas.ts";
import { distinctModels } from "./distinct_models.ts";
import { ModelNotFoundError } from "./errors.ts";
import { modelCard } from "./model_card.ts";
import { parseBody } from "./parse_body.ts";
import { visibleModels } from "./visible_models.ts";

/**
 * `GET /v1/models` and `GET /v1/models/{id}` (register on
 * `/v1/models/:id?`): the models this deployment offers and this user may
 * use (`GatewayDeps.allowedModels`, all by default), in Anthropic's list
 * shape with `limit` (default 20), `after_id` and `before_id` paging. The
 * list names each model once per display name (`distinctModels`); `{id}`
 * answers for every name the user may send.
 */
export function modelsRoute(deps: GatewayDeps): Handler {
  const visibleTo = visibleModels(deps);

  return function models(c: Context) {
    const visible = visibleTo(c.get("claims"));
    const id = c.req.param("id");
    if (id !== undefined) {
      const model = visible.find((m) => m.name === id);
      if (model === undefined) {
        throw new ModelNotFoundError(`Model ${JSON.stringify(id)} not found`);
      }
      return c.json(modelCard(model));
    }
    const query = parseBody(modelListQuerySchema, c.req.query());
    const limit = query.limit ?? 20;
    const listed = distinctModels(visible);
    let start = 0;
    let end = listed.length;
    if (query.after_id !== undefined) start = _indexOf(listed, query.after_id, "after_id") + 1;
    if (query.before_id !== undefined) end = _indexOf(listed, query.before_id, "before_id");
    let page = listed.slice(start, end);
    let hasMore: boolean;
    if (query.before_id !== undefined && query.after_id === undefined) {
      hasMore = page.length > limit;
      page = page.slice(-limit);
    } else {
      hasMore = page.length > limit;
      page = page.slice(0, limit);
    }
    const data = page.map(modelCard);
    return c.json({
      data,
      has_more: hasMore,
      first_id: data[0]?.id ?? null,
      last_id: data.at(-1)?.id ?? null,
    });
  };
}

function _indexOf(models: readonly { name: string }[], id: string, param: string): number {
  const at = models.findIndex((m) => m.name === id);
  if (at < 0) throw new ModelNotFoundError(`${param}: model ${JSON.stringify(id)} not found`);
  return at;
}
