/**
 * Renders `docs/configuration.md` from the settings' own documentation. Pure:
 * values in, Markdown out (`deno fmt` then lays it out; see
 * `write_configuration_reference.ts`).
 *
 * @module
 */
import type { SettingDoc, SettingSource } from "./setting_doc.ts";

/** A variable ccgate does not define but honours through the runtime or a library. */
export interface StandardVariable {
  /** The variable, or a group of them (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`). */
  names: string[];
  /** Who honours it (`AWS SDK`, `Deno`, `Deno Deploy`). */
  honouredBy: string;
  /** What for (Markdown). */
  description: string;
}

/** What the reference is made of. */
export interface ConfigurationReferenceInput {
  /** The sources of settings, in the order of the document's sections. */
  sources: readonly SettingSource[];
  /** Variables honoured through the runtime or libraries. */
  standard: readonly StandardVariable[];
}

interface _Entry {
  name: string;
  home: SettingSource;
  docs: { source: SettingSource; doc: SettingDoc }[];
}

function _entries(sources: readonly SettingSource[]): _Entry[] {
  const byName = new Map<string, _Entry>();
  for (const source of sources) {
    for (const doc of source.settings) {
      const entry = byName.get(doc.name) ?? { name: doc.name, home: source, docs: [] };
      entry.docs.push({ source, doc });
      byName.set(doc.name, entry);
    }
  }
  return [...byName.values()];
}

/** `value` when every source agrees, else `value (app); other (app)`. */
function _field(entry: _Entry, pick: (doc: SettingDoc) => string | undefined): string | undefined {
  const values = entry.docs.map(({ source, doc }) => ({ app: source.app, value: pick(doc) }))
    .filter((v): v is { app: string; value: string } => v.value !== undefined);
  const distinct = [...new Set(values.map((v) => v.value))];
  if (distinct.length <= 1) return distinct[0];
  return distinct.map((value) =>
    `${value} (${values.filter((v) => v.value === value).map((v) => v.app).join(", ")})`
  ).join("; ");
}

function _anchor(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_ -]/g, "").replace(/ /g, "-");
}

function _readBy(entry: _Entry): string {
  return entry.docs.map(({ source }) => `${source.app} ([\`${source.file}\`](../${source.file}))`)
    .join(", ");
}

function _setting(entry: _Entry): string[] {
  const lines = [`### \`${entry.name}\``, ""];
  const descriptions = entry.docs.filter(({ doc }) => doc.description !== undefined);
  const distinct = [...new Set(descriptions.map(({ doc }) => doc.description))];
  if (distinct.length === 1) {
    lines.push(distinct[0]!, "");
  } else {
    for (const { source, doc } of descriptions) {
      lines.push(`**${source.app}**: ${doc.description}`, "");
    }
  }
  lines.push(`- Read by: ${_readBy(entry)}`);
  lines.push(`- Accepts: ${_field(entry, (d) => d.accepts)}`);
  lines.push(`- Default: ${_field(entry, (d) => d.default)}`);
  const examples = [...new Set(entry.docs.flatMap(({ doc }) => doc.example ?? []))];
  if (examples.length > 0) {
    lines.push(`- Example: ${examples.map((e) => `\`${entry.name}=${e}\``).join(", ")}`);
  }
  lines.push("");
  return lines;
}

function _cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/**
 * Renders the configuration reference.
 *
 * @param input The documented settings and the standard variables.
 * @returns Markdown for `docs/configuration.md`.
 */
export function renderConfigurationReference(input: ConfigurationReferenceInput): string {
  const entries = _entries(input.sources);
  const lines = [
    "# Configuration reference",
    "",
    "<!-- Generated from the settings schemas by `deno task docs:config`. Do not edit by hand. -->",
    "",
    "ccgate is configured with environment variables. Each app validates its own at start-up: a bad",
    "value stops the process with one line naming the setting, for example",
    "`Invalid setting CCGATE_PING_INTERVAL_MS: must be a whole number`. An empty value counts as",
    "unset.",
    "",
    "This page is generated from the schemas that validate the settings (" +
    input.sources.map((s) => `[\`${s.file}\`](../${s.file})`).join(", ") +
    "): every setting carries its description there, in `.meta({ description, example })`. To add a",
    "setting, add it to its schema with a description and run `deno task docs:config`; the test",
    "`tools/configuration_reference_test.ts` fails while a setting has no description or this page",
    "is out of date.",
    "",
    "| variable | read by | default |",
    "| --- | --- | --- |",
  ];
  for (const entry of entries) {
    const apps = [...new Set(entry.docs.map(({ source }) => source.app))].join(", ");
    const fallback = _field(entry, (d) => d.default) ?? "";
    const short = fallback.length <= 45 ? fallback : "see below";
    lines.push(`| [\`${entry.name}\`](#${_anchor(entry.name)}) | ${apps} | ${_cell(short)} |`);
  }
  lines.push("");
  for (const source of input.sources) {
    const own = entries.filter((e) => e.home === source);
    if (own.length === 0) continue;
    lines.push(`## ${source.title}`, "", source.intro, "");
    for (const entry of own) lines.push(..._setting(entry));
  }
  if (input.standard.length > 0) {
    lines.push(
      "## Standard variables",
      "",
      "ccgate does not define these; the runtime or a library it uses honours them.",
      "",
      "| variable | honoured by | what for |",
      "| --- | --- | --- |",
    );
    for (const v of input.standard) {
      lines.push(
        `| ${v.names.map((n) => `\`${n}\``).join(", ")} | ${_cell(v.honouredBy)} | ${
          _cell(v.description)
        } |`,
      );
    }
    lines.push("");
  }
  return lines.join("\n");
}
