/**
 * `deno task docs:config`: writes `docs/configuration.md` from the settings
 * schemas (see `configuration_sources.ts`).
 *
 * @module
 */
import { configurationSources, STANDARD_VARIABLES } from "./configuration_sources.ts";
import { formatMarkdown } from "./format_markdown.ts";
import { renderConfigurationReference } from "./render_configuration_reference.ts";

/** Where the reference lives. */
export const CONFIGURATION_REFERENCE = new URL("../docs/configuration.md", import.meta.url);

/**
 * The reference as it should be now: rendered from the schemas and formatted.
 *
 * @returns The content of `docs/configuration.md`.
 */
export async function currentConfigurationReference(): Promise<string> {
  return await formatMarkdown(
    renderConfigurationReference({
      sources: configurationSources(),
      standard: STANDARD_VARIABLES,
    }),
  );
}

if (import.meta.main) {
  await Deno.writeTextFile(CONFIGURATION_REFERENCE, await currentConfigurationReference());
  console.error("wrote docs/configuration.md");
}
