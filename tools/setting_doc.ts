/**
 * The documentation of ccgate's settings, taken from the zod schemas that
 * validate them. A setting documents itself next to its schema:
 *
 * ```ts
 * CCGATE_PING_INTERVAL_MS: positiveInt(10_000).meta({
 *   description: "Send `event: ping` after this many milliseconds of upstream silence.",
 *   example: "15000",
 * }),
 * ```
 *
 * Metadata keys: `description` (required, Markdown), `example` (a value),
 * `accepts` (what values are valid, when the schema alone does not say it
 * well; helpers such as `positiveInt` set it), `defaultText` (when the
 * default depends on something else, e.g. "`AWS_REGION`").
 *
 * @module
 */
import { z } from "zod";

/** What the reference says about one setting of one source. */
export interface SettingDoc {
  /** The environment variable. */
  name: string;
  /** What it does (Markdown); `undefined` when the schema has none. */
  description?: string;
  /** Valid values (Markdown). */
  accepts: string;
  /** The value when unset (Markdown): a value, `required`, or `unset`. */
  default: string;
  /** An example value. */
  example?: string;
}

/** A group of settings defined in one file and read by one app. */
export interface SettingSource {
  /** Who reads the settings: `server`, `gateway`, `auth`, `CLI`. */
  app: string;
  /** Section title in the reference. */
  title: string;
  /** Where the settings are defined, relative to the repository root. */
  file: string;
  /** A paragraph introducing the section (Markdown). */
  intro: string;
  /** The settings, in declaration order. */
  settings: SettingDoc[];
}

/** Metadata a setting's schema may carry (see the module doc). */
export interface SettingMeta {
  description?: string;
  example?: string;
  accepts?: string;
  defaultText?: string;
}

type AnySchema = z.ZodType;

/** The schema and the schemas it wraps (optional, pipe input, default), outermost first. */
function _chain(schema: AnySchema): AnySchema[] {
  const out: AnySchema[] = [];
  let current: AnySchema | undefined = schema;
  while (current !== undefined && out.length < 20) {
    out.push(current);
    const def = current._zod.def as unknown as Record<string, unknown>;
    const next = def.type === "pipe"
      ? def.in
      : ["optional", "nullable", "default", "prefault", "readonly"].includes(String(def.type))
      ? def.innerType
      : undefined;
    current = next as AnySchema | undefined;
  }
  return out;
}

function _text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

function _derivedAccepts(schema: AnySchema): string {
  let json: Record<string, unknown>;
  try {
    json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<
      string,
      unknown
    >;
  } catch {
    return "text";
  }
  if (Array.isArray(json.enum)) return `one of ${json.enum.map((v) => `\`${v}\``).join(", ")}`;
  if (json.format === "uri") return "URL";
  if (json.pattern === "^\\d+$") return "whole number";
  return "text";
}

function _derivedDefault(schema: AnySchema): string {
  const parsed = schema.safeParse(undefined);
  if (!parsed.success) return "required";
  const value: unknown = parsed.data;
  if (value === undefined) return "unset";
  if (Array.isArray(value)) return value.length === 0 ? "none" : `\`${value.join(",")}\``;
  if (typeof value === "object" && value !== null) {
    return Object.keys(value).length === 0 ? "none" : `\`${JSON.stringify(value)}\``;
  }
  return `\`${String(value)}\``;
}

/**
 * Reads the documentation of every key of an environment schema.
 *
 * @param schema A `z.object` whose keys are environment variables.
 * @returns One {@linkcode SettingDoc} per key, in declaration order.
 */
export function settingsOfSchema(schema: z.ZodObject): SettingDoc[] {
  return Object.entries(schema.shape).map(([name, setting]) => {
    const chain = _chain(setting as AnySchema);
    const metas = chain.map((s) => (z.globalRegistry.get(s) ?? {}) as SettingMeta);
    // The description must be the setting's own; other keys may come from a helper it wraps.
    const merged: SettingMeta = Object.assign({}, ...metas.toReversed());
    return {
      name,
      description: _text(metas[0]?.description),
      accepts: _text(merged.accepts) ?? _derivedAccepts(setting as AnySchema),
      default: _text(merged.defaultText) ?? _derivedDefault(setting as AnySchema),
      example: _text(merged.example),
    };
  });
}

/**
 * Reads a plain table of settings (for code that has no zod schema, such as
 * the CLI, which keeps its package free of dependencies).
 *
 * @param table Setting name → metadata.
 * @returns One {@linkcode SettingDoc} per entry.
 */
export function settingsOfTable(table: Record<string, SettingMeta>): SettingDoc[] {
  return Object.entries(table).map(([name, meta]) => ({
    name,
    description: _text(meta.description),
    accepts: _text(meta.accepts) ?? "text",
    default: _text(meta.defaultText) ?? "unset",
    example: _text(meta.example),
  }));
}

/**
 * The settings with no description.
 *
 * @param sources Every source of settings.
 * @returns `file: NAME` for each undocumented setting.
 */
export function undocumentedSettings(sources: readonly SettingSource[]): string[] {
  return sources.flatMap((source) =>
    source.settings.filter((s) => s.description === undefined).map((s) =>
      `${source.file}: ${s.name}`
    )
  );
}
