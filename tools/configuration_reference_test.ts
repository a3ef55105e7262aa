/**
 * The configuration reference is current and complete: `docs/configuration.md`
 * is what `deno task docs:config` renders from the schemas now, every setting
 * in every schema has a description, and every ccgate variable the code reads
 * is documented.
 */
import { assert, assertEquals } from "../testing/assert.ts";
import { CLI_ENV } from "../client/cli/cli_env.ts";
import { configurationSources, STANDARD_VARIABLES } from "./configuration_sources.ts";
import { settingsOfSchema, undocumentedSettings } from "./setting_doc.ts";
import { renderConfigurationReference } from "./render_configuration_reference.ts";
import { formatMarkdown } from "./format_markdown.ts";
import { gatewayEnvSchema } from "../gateway/gateway_env_schema.ts";
import { z } from "zod";
import {
  CONFIGURATION_REFERENCE,
  currentConfigurationReference,
} from "./write_configuration_reference.ts";

const root = new URL("../", import.meta.url);

/** Non-test TypeScript files of the apps, repository-relative. */
async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(new URL(dir || ".", root))) {
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory && dir !== "" && !entry.name.startsWith("_")) {
      out.push(...await sourceFiles(path));
    } else if (
      entry.isFile && entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts") &&
      !entry.name.endsWith("_bench.ts") && !entry.name.startsWith("_")
    ) {
      out.push(path);
    }
  }
  return out;
}

/** `CCGATE_*`, `ENTRA_*` and `AWS_*` variables read through `env.X`, `env["X"]`, `env("X")`, `Deno.env.get("X")`. */
const ENV_READ =
  /\benv(?:\.|\[["']|\(["']|\.get\(["'])((?:CCGATE|ENTRA|AWS)_[A-Z0-9_]+)|Deno\.env\.get\(["']((?:CCGATE|ENTRA|AWS)_[A-Z0-9_]+)/g;

Deno.test("every setting in every schema has a description", () => {
  const missing = undocumentedSettings(configurationSources());
  assertEquals(
    missing,
    [],
    `settings without a description (add .meta({ description: "...", example: "..." }) next to the schema, then run \`deno task docs:config\`)`,
  );
});

Deno.test("docs/configuration.md is current with the settings schemas", async () => {
  const expected = await currentConfigurationReference();
  let actual = "";
  try {
    actual = await Deno.readTextFile(CONFIGURATION_REFERENCE);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  if (actual !== expected) {
    const a = actual.split("\n");
    const e = expected.split("\n");
    const line = e.findIndex((l, i) => l !== a[i]);
    throw new Error(
      `docs/configuration.md is out of date: run \`deno task docs:config\` (first difference at line ${
        line + 1
      }: expected ${JSON.stringify(e[line])}, found ${JSON.stringify(a[line])})`,
    );
  }
});

Deno.test("every ccgate variable the code reads is in the configuration reference", async () => {
  const documented = new Set([
    ...configurationSources().flatMap((s) => s.settings.map((d) => d.name)),
    ...STANDARD_VARIABLES.flatMap((v) => v.names),
  ]);
  const files = [
    ...(await sourceFiles("")),
    ...(await Promise.all(["gateway", "auth", "client", "installer"].map(sourceFiles))).flat(),
  ];
  assert(files.includes("main.ts") && files.includes("client/cli/login_command.ts"), "scanned");
  const undocumented: string[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    const text = await Deno.readTextFile(new URL(file, root));
    for (const match of text.matchAll(ENV_READ)) {
      const name = match[1] ?? match[2]!;
      seen.add(name);
      if (!documented.has(name)) undocumented.push(`${file}: ${name}`);
    }
  }
  assert(seen.has("CCGATE_ENV") && seen.has("CCGATE_URL"), "the scan finds reads");
  assertEquals(
    undocumented,
    [],
    "variables read but not documented (add them to a schema in tools/configuration_sources.ts with a description)",
  );
});

Deno.test("every variable in client/cli/cli_env.ts is read by the CLI", async () => {
  const files = await sourceFiles("client");
  let text = "";
  for (const file of files.filter((f) => !f.endsWith("cli_env.ts"))) {
    text += await Deno.readTextFile(new URL(file, root));
  }
  for (const name of Object.keys(CLI_ENV)) {
    assert(text.includes(`"${name}"`), `${name} is documented but the CLI never reads it`);
  }
});

Deno.test("a setting added to a schema without a description fails both checks", async () => {
  const extended = gatewayEnvSchema.extend({ CCGATE_SOMETHING_NEW: z.string().optional() });
  const sources = configurationSources().map((source) =>
    source.file === "gateway/gateway_env_schema.ts"
      ? { ...source, settings: settingsOfSchema(extended) }
      : source
  );
  assertEquals(undocumentedSettings(sources), [
    "gateway/gateway_env_schema.ts: CCGATE_SOMETHING_NEW",
  ]);
  const rendered = await formatMarkdown(
    renderConfigurationReference({ sources, standard: STANDARD_VARIABLES }),
  );
  assert(rendered.includes("### `CCGATE_SOMETHING_NEW`"));
  assert(rendered !== await Deno.readTextFile(CONFIGURATION_REFERENCE), "the page is then stale");
});

Deno.test("every exported *EnvSchema in the code is a source of the reference", async () => {
  const sourcesFile = await Deno.readTextFile(new URL("configuration_sources.ts", import.meta.url));
  const files = [
    ...(await sourceFiles("")),
    ...(await Promise.all(["gateway", "auth", "client", "installer"].map(sourceFiles))).flat(),
  ];
  const schemas: string[] = [];
  for (const file of files) {
    const text = await Deno.readTextFile(new URL(file, root));
    for (const match of text.matchAll(/export const (\w+EnvSchema)\b/g)) {
      schemas.push(`${file}: ${match[1]}`);
    }
  }
  assert(schemas.length >= 3, `found ${schemas.join(", ")}`);
  for (const schema of schemas) {
    const name = schema.split(": ")[1]!;
    assert(
      new RegExp(`settingsOfSchema\\(${name}\\)`).test(sourcesFile),
      `${schema} is not in tools/configuration_sources.ts`,
    );
  }
});
