import { assertEquals } from "../testing/assert.ts";
import { unpublishedModules } from "./jsr_package_graph.ts";

const DIR = "file:///repo/client/";
const EXCLUDE = ["**/*_test.ts", "_testing/", "cli/"];

Deno.test("unpublishedModules() names a sibling workspace member that JSR could not resolve", () => {
  const graph = [
    `${DIR}cli/main.ts`,
    "file:///repo/installer/mod.ts",
    "npm:/jose@6.2.18",
    "jsr:@std/path@1",
  ];
  assertEquals(unpublishedModules("./cli", graph, DIR, []), [
    {
      exportName: "./cli",
      specifier: "file:///repo/installer/mod.ts",
      reason: "outside the package",
    },
  ]);
});

Deno.test("unpublishedModules() names modules publish.exclude leaves out, and remote imports", () => {
  const graph = [
    `${DIR}mod.ts`,
    `${DIR}verify_access_token_test.ts`,
    `${DIR}cli/program.ts`,
    `${DIR}_testing/serve.ts`,
    `${DIR}_entra.ts`,
    "https://deno.land/x/oops/mod.ts",
  ];
  assertEquals(unpublishedModules(".", graph, DIR, EXCLUDE).map((m) => [m.specifier, m.reason]), [
    [`${DIR}verify_access_token_test.ts`, "excluded by publish.exclude"],
    [`${DIR}cli/program.ts`, "excluded by publish.exclude"],
    [`${DIR}_testing/serve.ts`, "excluded by publish.exclude"],
    ["https://deno.land/x/oops/mod.ts", "not from npm: or jsr:"],
  ]);
});

Deno.test("unpublishedModules() finds nothing missing from the client library's graph", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", new URL("../client/mod.ts", import.meta.url).href],
    stdout: "piped",
  }).output();
  const modules = (JSON.parse(new TextDecoder().decode(output.stdout)) as {
    modules: { specifier: string }[];
  }).modules.map((m) => m.specifier);
  const config = JSON.parse(
    await Deno.readTextFile(new URL("../client/deno.json", import.meta.url)),
  ) as { publish: { exclude: string[] } };
  const dir = new URL("../client/", import.meta.url).href;
  assertEquals(unpublishedModules(".", modules, dir, config.publish.exclude), []);
});
