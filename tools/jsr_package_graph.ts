/**
 * `deno run --allow-read --allow-run tools/jsr_package_graph.ts <package dir>`
 * (part of `deno task check:jsr`): every module the package's JSR exports
 * load must be published with it, or come from `npm:`/`jsr:`.
 *
 * `deno publish --dry-run` inside the workspace resolves a sibling member
 * (`@ccgate/installer`) to its folder and passes; on JSR that import only
 * resolves if the member is published too. This check fails instead, naming
 * each module outside the package (or excluded from it by `publish.exclude`)
 * and the export that loads it.
 *
 * @module
 */

/** One module of an export's graph that the published package would lack. */
export interface UnpublishedModule {
  /** The export (`"."`, `"./cli"`) whose graph loads it. */
  exportName: string;
  /** Its specifier (`file:///…/installer/mod.ts`). */
  specifier: string;
  /** Why it is not published. */
  reason: "outside the package" | "excluded by publish.exclude" | "not from npm: or jsr:";
}

/**
 * Which modules of an export's graph would not be on JSR. Pure.
 *
 * @param exportName The export's name, for the report.
 * @param specifiers Every module specifier of the export's graph (`deno info --json`).
 * @param packageDir The package folder as a `file:` URL ending in `/`.
 * @param exclude The package's `publish.exclude` patterns (`dir/`, `**\/*_test.ts`, `file.ts`).
 * @returns The modules that would be missing, in graph order.
 *
 * @example
 * ```ts
 * import { unpublishedModules } from "./jsr_package_graph.ts";
 * const missing = unpublishedModules(".", ["file:///r/client/mod.ts", "file:///r/installer/mod.ts"], "file:///r/client/", []);
 * console.assert(missing[0]?.reason === "outside the package");
 * ```
 */
export function unpublishedModules(
  exportName: string,
  specifiers: readonly string[],
  packageDir: string,
  exclude: readonly string[],
): UnpublishedModule[] {
  const excluded = exclude.map(_patternRegExp);
  const missing: UnpublishedModule[] = [];
  for (const specifier of specifiers) {
    if (specifier.startsWith("npm:") || specifier.startsWith("jsr:")) continue;
    if (specifier.startsWith("node:") || specifier.startsWith("data:")) continue;
    if (!specifier.startsWith("file:")) {
      missing.push({ exportName, specifier, reason: "not from npm: or jsr:" });
    } else if (!specifier.startsWith(packageDir)) {
      missing.push({ exportName, specifier, reason: "outside the package" });
    } else if (excluded.some((re) => re.test(specifier.slice(packageDir.length)))) {
      missing.push({ exportName, specifier, reason: "excluded by publish.exclude" });
    }
  }
  return missing;
}

/** A `publish.exclude` pattern as a regular expression over package-relative paths. */
function _patternRegExp(pattern: string): RegExp {
  const glob = pattern.replace(/^\.\//, "");
  const body = glob.split(/(\*\*\/|\*)/).map((part) =>
    part === "**/"
      ? "(?:.*/)?"
      : part === "*"
      ? "[^/]*"
      : part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")
  ).join("");
  return new RegExp(`^${body}${glob.endsWith("/") ? "" : "$"}`);
}

async function _graph(entry: string): Promise<string[]> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!output.success) throw new Error(`Cannot read the module graph of ${entry}`);
  const info = JSON.parse(new TextDecoder().decode(output.stdout)) as {
    modules: { specifier: string }[];
  };
  return info.modules.map((m) => m.specifier);
}

if (import.meta.main) {
  const dir = new URL(`${Deno.args[0] ?? "client"}/`, `file://${Deno.cwd()}/`);
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", dir))) as {
    name: string;
    exports: string | Record<string, string>;
    publish?: { exclude?: string[] };
  };
  const exports = typeof config.exports === "string" ? { ".": config.exports } : config.exports;
  const missing: UnpublishedModule[] = [];
  for (const [name, path] of Object.entries(exports)) {
    const graph = await _graph(new URL(path, dir).href);
    missing.push(...unpublishedModules(name, graph, dir.href, config.publish?.exclude ?? []));
  }
  for (const m of missing) {
    console.error(
      `${config.name} export ${JSON.stringify(m.exportName)} loads ${m.specifier}: ${m.reason}`,
    );
  }
  if (missing.length > 0) {
    console.error(
      `Cannot publish ${config.name}: ${missing.length} module(s) of its exports would not be on JSR`,
    );
    Deno.exit(1);
  }
}
