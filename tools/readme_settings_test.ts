/**
 * README's settings table gives each setting the default the settings schema
 * has (`docs/configuration.md` is generated from the schemas; README's short
 * table is written by hand and drifted once: 50 % where the code said 60).
 */
import { assert, assertEquals } from "../testing/assert.ts";
import { configurationSources } from "./configuration_sources.ts";

const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));

/** Each README table row naming settings in full, with its defaults: `[name, default]` pairs. */
function readmeDefaults(): [string, string][] {
  const out: [string, string][] = [];
  for (const line of readme.split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    if (cells.length !== 4 || !cells[1]!.startsWith("`CCGATE_")) continue;
    const names = [...cells[1]!.matchAll(/`(CCGATE_[A-Z_]+|_[A-Z_]+)`/g)].map((m) => m[1]!);
    const defaults = [...cells[2]!.matchAll(/`([^`]*)`/g)].map((m) => m[1]!);
    if (names.length !== defaults.length || names.some((n) => n.startsWith("_"))) continue;
    names.forEach((name, i) => out.push([name, defaults[i]!]));
  }
  return out;
}

Deno.test("README's settings table gives the defaults the settings schemas have", () => {
  const schema = new Map<string, string>();
  for (const source of configurationSources()) {
    for (const setting of source.settings) schema.set(setting.name, setting.default);
  }
  const rows = readmeDefaults();
  assert(rows.length >= 8, `README's table read as ${JSON.stringify(rows)}`);
  for (const [name, value] of rows) {
    if (!/^\d+$/.test(value)) continue; // words ("public endpoints") are prose, not a default
    assertEquals(schema.get(name)?.replaceAll("`", ""), value, name);
  }
});
