import { gatewayEnvConflicts, gatewayModeOf } from "./gateway_env_conflicts.ts";

/** A JSON object. */
export type JsonObject = { [key: string]: unknown };

/** One settings value ccgate owns, with what was there before it. */
export interface OwnedValue {
  /** Key path, e.g. `["env", "ANTHROPIC_BASE_URL"]`. */
  path: string[];
  /** What ccgate wrote; absent when ccgate took the key away (`removed`). */
  value?: unknown;
  /** What was there before; absent when the key did not exist. */
  previous?: unknown;
  /** Whether the key existed before. */
  hadPrevious: boolean;
  /**
   * ccgate removed the key (an `env` variable that keeps Claude Code away
   * from the gateway, see {@linkcode gatewayEnvConflicts}); `previous` is
   * the user's value, `at` its place among its siblings.
   */
  removed?: true;
  /** Where a removed key stood in its object (to put it back in place). */
  at?: number;
}

/** One array entry ccgate appended (e.g. a `permissions.deny` rule). */
export interface OwnedArrayItem {
  /** Key path of the array. */
  path: string[];
  /** The entry. */
  item: unknown;
}

/** Everything ccgate owns in one settings file. */
export interface OwnedSettings {
  /** Values ccgate set. */
  values: OwnedValue[];
  /** Array entries ccgate appended. */
  items: OwnedArrayItem[];
  /** Objects and arrays that did not exist before ccgate created them (removed when empty). */
  created: string[][];
}

/** An empty {@linkcode OwnedSettings}. */
export function noOwnedSettings(): OwnedSettings {
  return { values: [], items: [], created: [] };
}

const isObject = (v: unknown): v is JsonObject =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const samePath = (a: string[], b: string[]) =>
  a.length === b.length && a.every((p, i) => p === b[i]);

function equalJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function clone<T>(value: T): T {
  return value === undefined ? value : structuredClone(value);
}

function getAt(root: JsonObject, path: string[]): { found: boolean; value?: unknown } {
  let node: unknown = root;
  for (const key of path) {
    if (!isObject(node) || !Object.hasOwn(node, key)) return { found: false };
    node = node[key];
  }
  return { found: true, value: node };
}

/** The object at `path`, created (and recorded in `created`) where missing. */
function ensureObject(root: JsonObject, path: string[], created: string[][]): JsonObject {
  let node = root;
  for (let i = 0; i < path.length; i++) {
    const key = path[i]!;
    if (!isObject(node[key])) {
      node[key] = {};
      const p = path.slice(0, i + 1);
      if (!created.some((c) => samePath(c, p))) created.push(p);
    }
    node = node[key] as JsonObject;
  }
  return node;
}

/** Puts `key` back into `obj` at position `at`, keeping the other keys' order. */
function insertAt(obj: JsonObject, key: string, value: unknown, at: number): void {
  const entries = Object.entries(obj).filter(([k]) => k !== key);
  entries.splice(Math.min(at, entries.length), 0, [key, value]);
  for (const k of Object.keys(obj)) delete obj[k];
  for (const [k, v] of entries) obj[k] = v;
}

/**
 * Takes away the `env` variables that would keep Claude Code away from the
 * gateway `ours` points it at (those ccgate does not set itself), recording
 * each with its value and place so unmerging puts it back.
 */
function takeOverEnv(settings: JsonObject, ours: JsonObject, owned: OwnedSettings): void {
  const mode = gatewayModeOf(ours);
  const env = settings.env;
  if (!mode || !isObject(env)) return;
  const mine = isObject(ours.env) ? ours.env : {};
  const names = Object.keys(env);
  for (const { name } of gatewayEnvConflicts(mode, env)) {
    if (Object.hasOwn(mine, name)) continue;
    owned.values.push({
      path: ["env", name],
      previous: clone(env[name]),
      hadPrevious: true,
      removed: true,
      at: names.indexOf(name),
    });
    delete env[name];
  }
}

/** The leaves (values) and array entries of ccgate's settings. */
function flatten(
  value: JsonObject,
  prefix: string[] = [],
): { values: [string[], unknown][]; arrays: [string[], unknown[]][] } {
  const values: [string[], unknown][] = [];
  const arrays: [string[], unknown[]][] = [];
  for (const [key, v] of Object.entries(value)) {
    const path = [...prefix, key];
    if (isObject(v)) {
      const inner = flatten(v, path);
      values.push(...inner.values);
      arrays.push(...inner.arrays);
    } else if (Array.isArray(v)) arrays.push([path, v]);
    else values.push([path, v]);
  }
  return { values, arrays };
}

/** What {@linkcode mergeSettings} returns. */
export interface MergeResult {
  /** The merged settings. */
  settings: JsonObject;
  /** What ccgate owns in them now (to store in the install manifest). */
  owned: OwnedSettings;
}

/**
 * Merges ccgate's settings into an existing settings object, never
 * clobbering: every key ccgate does not own is kept in place, objects are
 * merged key by key, array settings (`permissions.deny`) get ccgate's entries
 * appended when missing. When `ours` points Claude Code at a gateway, the
 * `env` variables that would keep it away (another provider switched on,
 * personal credentials, a Bedrock-style model id in anthropic mode: see
 * {@linkcode gatewayEnvConflicts}) are taken away, recorded like a value
 * ccgate owns so unmerging gives them back. Ownership from an earlier install is carried over
 * (so "previous" stays the user's value, and a re-run changes nothing), and
 * what ccgate owned before but no longer sets is given back. Pure.
 *
 * @param existing The settings file's current content (`{}` when absent).
 * @param ours ccgate's settings.
 * @param before What ccgate owned after the last install.
 * @returns The merged settings and the new ownership record.
 *
 * @example
 * ```ts
 * import { mergeSettings, unmergeSettings } from "./settings_merge.ts";
 * const user = { theme: "dark", env: { FOO: "1" } };
 * const { settings, owned } = mergeSettings(user, { env: { ANTHROPIC_BASE_URL: "https://gw" } });
 * console.assert(JSON.stringify(unmergeSettings(settings, owned)) === JSON.stringify(user));
 * ```
 */
export function mergeSettings(
  existing: JsonObject,
  ours: JsonObject,
  before: OwnedSettings = noOwnedSettings(),
): MergeResult {
  // Give back what the last install owned, then merge afresh: a re-run with the
  // same options lands on the same bytes, with the same "previous" values.
  const base = unmergeSettings(existing, before, { force: true });
  const settings = clone(base);
  const owned = noOwnedSettings();
  takeOverEnv(settings, ours, owned);
  const { values, arrays } = flatten(ours);
  for (const [path, value] of values) {
    const parent = ensureObject(settings, path.slice(0, -1), owned.created);
    const key = path[path.length - 1]!;
    const had = Object.hasOwn(parent, key);
    owned.values.push(
      had
        ? { path, value: clone(value), previous: clone(parent[key]), hadPrevious: true }
        : { path, value: clone(value), hadPrevious: false },
    );
    parent[key] = clone(value);
  }
  for (const [path, items] of arrays) {
    const parent = ensureObject(settings, path.slice(0, -1), owned.created);
    const key = path[path.length - 1]!;
    if (!Array.isArray(parent[key])) {
      parent[key] = [];
      owned.created.push(path);
    }
    const list = parent[key] as unknown[];
    for (const item of items) {
      if (list.some((x) => equalJson(x, item))) continue;
      list.push(clone(item));
      owned.items.push({ path, item: clone(item) });
    }
  }
  return { settings, owned };
}

/** Options of {@linkcode unmergeSettings}. */
export interface UnmergeOptions {
  /**
   * Also give back values the user changed since (used by a re-install).
   * Off for uninstall: a value the user changed is theirs now.
   * @default {false}
   */
  force?: boolean;
}

/**
 * Removes what ccgate owns from settings: each owned value goes back to what
 * was there before (or is deleted), each appended array entry is removed, each
 * `env` variable ccgate took away goes back in its place, and objects ccgate
 * created are removed once empty. A value the user changed
 * since the install is left alone. Pure.
 *
 * @param current The settings file's current content.
 * @param owned What ccgate owns (from the install manifest).
 * @param options See {@linkcode UnmergeOptions}.
 * @returns The settings without ccgate's.
 */
export function unmergeSettings(
  current: JsonObject,
  owned: OwnedSettings,
  options: UnmergeOptions = {},
): JsonObject {
  const settings = clone(current);
  const set = owned.values.filter((v) => !v.removed);
  // Removed keys go back after ccgate's own values are gone, first place first.
  const removed = owned.values.filter((v) => v.removed).sort((a, b) =>
    (a.at ?? Infinity) - (b.at ?? Infinity)
  );
  for (const entry of [...set].reverse()) {
    const parent = getAt(settings, entry.path.slice(0, -1));
    if (!parent.found || !isObject(parent.value)) continue;
    const key = entry.path[entry.path.length - 1]!;
    const obj = parent.value;
    if (!Object.hasOwn(obj, key)) continue;
    if (!options.force && !equalJson(obj[key], entry.value)) continue;
    if (entry.hadPrevious) obj[key] = clone(entry.previous);
    else delete obj[key];
  }
  for (const entry of removed) {
    const parent = getAt(settings, entry.path.slice(0, -1));
    if (!parent.found || !isObject(parent.value)) continue;
    const key = entry.path[entry.path.length - 1]!;
    // Set again since: the user's now, kept even by a re-install (which takes
    // it over afresh, recording the new value).
    if (Object.hasOwn(parent.value, key)) continue;
    insertAt(parent.value, key, clone(entry.previous), entry.at ?? Infinity);
  }
  for (const entry of owned.items) {
    const found = getAt(settings, entry.path);
    if (!found.found || !Array.isArray(found.value)) continue;
    const list = found.value;
    const at = list.findIndex((x) => equalJson(x, entry.item));
    if (at >= 0) list.splice(at, 1);
  }
  // Deepest first, so a parent emptied by removing its child goes too.
  const created = [...owned.created].sort((a, b) => b.length - a.length);
  for (const path of created) {
    const found = getAt(settings, path);
    if (!found.found) continue;
    const v = found.value;
    const empty = Array.isArray(v) ? v.length === 0 : isObject(v) && Object.keys(v).length === 0;
    if (!empty) continue;
    const parent = getAt(settings, path.slice(0, -1)).value as JsonObject;
    delete parent[path[path.length - 1]!];
  }
  return settings;
}

/** Renders settings as Claude Code writes them: 2-space JSON and a final newline. */
export function renderSettingsJson(settings: JsonObject): string {
  return JSON.stringify(settings, null, 2) + "\n";
}
