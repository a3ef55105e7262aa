import type { ListedModel } from "./model_map.ts";

/** One model as Anthropic's `GET /v1/models` lists it. */
export interface ModelCard {
  /** Always `"model"`. */
  type: "model";
  /** The name clients send as `model`. */
  id: string;
  /** Human-readable name, e.g. `Claude Sonnet 4.5`. */
  display_name: string;
  /** Release date (RFC 3339); `1970-01-01T00:00:00Z` when neither the name, the Bedrock id nor the table dates it. */
  created_at: string;
}

/** Release date used when no date is known. */
export const UNKNOWN_RELEASE = "1970-01-01T00:00:00Z";

const NEW_STYLE =
  /^claude-(opus|sonnet|haiku|fable|mythos)-(\d+)(?:-(\d{1,2}))?(?:-\d{8}|-latest)?$/;
const OLD_STYLE = /^claude-(\d+)(?:-(\d{1,2}))?-(opus|sonnet|haiku)(?:-\d{8}|-latest)?$/;
const DATE = /(?:^|-)(\d{4})(\d{2})(\d{2})(?:-|$)/;

/**
 * The `GET /v1/models` entry of a model the deployment offers. The display
 * name is derived from Claude's naming scheme (`claude-sonnet-4-5-20250929`
 * → `Claude Sonnet 4.5`, `claude-3-7-sonnet-latest` → `Claude Sonnet 3.7`);
 * names outside it (aliases) are shown as they are. The release date is the
 * 8-digit date in the name, else in the Bedrock id, else the table's
 * `released` (models from Opus 4.7 on carry no date). Pure.
 *
 * @param model The listed model.
 * @returns The card.
 *
 * @example
 * ```ts
 * import { modelCard } from "./model_card.ts";
 * const card = modelCard({ name: "claude-sonnet-4-5", modelId: "us.anthropic.claude-sonnet-4-5-20250929-v1:0" });
 * console.assert(card.display_name === "Claude Sonnet 4.5");
 * console.assert(card.created_at === "2025-09-29T00:00:00Z");
 * ```
 */
export function modelCard(model: ListedModel): ModelCard {
  return {
    type: "model",
    id: model.name,
    display_name: _displayName(model.name),
    created_at: _date(model.name) ?? _date(model.modelId.split("/").at(-1) ?? "") ??
      (model.released === undefined ? undefined : `${model.released}T00:00:00Z`) ??
      UNKNOWN_RELEASE,
  };
}

function _displayName(name: string): string {
  const family = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  const version = (major: string, minor: string | undefined) =>
    minor === undefined || minor === "0" ? major : `${major}.${minor}`;
  let m = NEW_STYLE.exec(name);
  if (m !== null) return `Claude ${family(m[1]!)} ${version(m[2]!, m[3])}`;
  m = OLD_STYLE.exec(name);
  if (m !== null) return `Claude ${family(m[3]!)} ${version(m[1]!, m[2])}`;
  return name;
}

function _date(id: string): string | undefined {
  const m = DATE.exec(id);
  if (m === null) return undefined;
  const [, y, mo, d] = m;
  const iso = `${y}-${mo}-${d}T00:00:00Z`;
  return Number.isNaN(Date.parse(iso)) ? undefined : iso;
}
