import { assert, assertEquals, assertStringIncludes } from "../testing/assert.ts";
import { renderConfigurationReference } from "./render_configuration_reference.ts";
import type { SettingSource } from "./setting_doc.ts";

const gateway: SettingSource = {
  app: "gateway",
  title: "Gateway",
  file: "gateway/config.ts",
  intro: "Gateway settings.",
  settings: [
    { name: "SHARED", description: "Same text.", accepts: "URL", default: "`ccgate`" },
    {
      name: "G_ONLY",
      description: "Gateway only.",
      accepts: "text",
      default: "unset",
      example: "g",
    },
  ],
};
const auth: SettingSource = {
  app: "auth",
  title: "Auth",
  file: "auth/config.ts",
  intro: "Auth settings.",
  settings: [
    { name: "SHARED", description: "Same text.", accepts: "URL", default: "unset", example: "a" },
    { name: "A_ONLY", description: "Auth | only.", accepts: "text", default: "required" },
  ],
};

const markdown = renderConfigurationReference({
  sources: [gateway, auth],
  standard: [{
    names: ["AWS_REGION", "AWS_PROFILE"],
    honouredBy: "AWS SDK",
    description: "AWS | chain.",
  }],
});

Deno.test("renderConfigurationReference() gives a setting read by two apps one section", () => {
  assertEquals(markdown.match(/^### `SHARED`$/gm)?.length, 1);
  const section = markdown.slice(
    markdown.indexOf("### `SHARED`"),
    markdown.indexOf("### `G_ONLY`"),
  );
  assertStringIncludes(section, "Same text.");
  assertEquals(section.match(/Same text\./g)?.length, 1, "an identical description once");
  assertStringIncludes(
    section,
    "- Read by: gateway ([`gateway/config.ts`](../gateway/config.ts)), auth ([`auth/config.ts`](../auth/config.ts))",
  );
  assertStringIncludes(section, "- Default: `ccgate` (gateway); unset (auth)");
  assertStringIncludes(section, "- Example: `SHARED=a`");
});

Deno.test("renderConfigurationReference() puts each setting in its first app's section", () => {
  const gatewayAt = markdown.indexOf("## Gateway");
  const authAt = markdown.indexOf("## Auth");
  assert(gatewayAt > 0 && authAt > gatewayAt);
  assert(markdown.indexOf("### `SHARED`") < authAt);
  assert(markdown.indexOf("### `A_ONLY`") > authAt);
  assertStringIncludes(markdown, "- Accepts: text\n- Default: required\n");
});

Deno.test("renderConfigurationReference() lists every setting in the summary table with its anchor", () => {
  assertStringIncludes(
    markdown,
    "| [`SHARED`](#shared) | gateway, auth | `ccgate` (gateway); unset (auth) |",
  );
  assertStringIncludes(markdown, "| [`A_ONLY`](#a_only) | auth | required |");
  assertStringIncludes(markdown, "| `AWS_REGION`, `AWS_PROFILE` | AWS SDK | AWS \\| chain. |");
});

Deno.test("renderConfigurationReference() escapes pipes in table cells only", () => {
  assertStringIncludes(markdown, "| AWS \\| chain. |");
  assertStringIncludes(markdown, "\nAuth | only.\n");
});
