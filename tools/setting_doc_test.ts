import { z } from "zod";
import { assertEquals } from "../testing/assert.ts";
import { settingsOfSchema, settingsOfTable, undocumentedSettings } from "./setting_doc.ts";

const count = (fallback: number) =>
  z.string().regex(/^\d+$/).transform(Number).optional().transform((v) => v ?? fallback)
    .meta({ accepts: "whole number" });

const schema = z.object({
  MODE: z.enum(["a", "b"]).optional().transform((v) => v ?? "a").meta({
    description: "The mode.",
    example: "b",
  }),
  LIMIT: count(5).meta({ description: "The limit." }),
  URL: z.url().optional().describe("A URL."),
  TENANT: z.string().min(1).meta({ description: "Required tenant." }),
  LIST: z.string().transform((v) => v.split(",")).optional().meta({
    description: "A list.",
    defaultText: "`x`",
  }),
  UNDOCUMENTED: count(1),
});

Deno.test("settingsOfSchema() reads descriptions and derives accepted values and defaults", () => {
  assertEquals(settingsOfSchema(schema), [
    {
      name: "MODE",
      description: "The mode.",
      accepts: "one of `a`, `b`",
      default: "`a`",
      example: "b",
    },
    {
      name: "LIMIT",
      description: "The limit.",
      accepts: "whole number",
      default: "`5`",
      example: undefined,
    },
    { name: "URL", description: "A URL.", accepts: "URL", default: "unset", example: undefined },
    {
      name: "TENANT",
      description: "Required tenant.",
      accepts: "text",
      default: "required",
      example: undefined,
    },
    { name: "LIST", description: "A list.", accepts: "text", default: "`x`", example: undefined },
    {
      name: "UNDOCUMENTED",
      description: undefined,
      accepts: "whole number",
      default: "`1`",
      example: undefined,
    },
  ]);
});

Deno.test("settingsOfSchema() does not take a helper's description for the setting's own", () => {
  const described = z.string().optional().meta({ description: "shared helper" });
  const docs = settingsOfSchema(z.object({ A: described.transform((v) => v ?? "x") }));
  assertEquals(docs[0]?.description, undefined);
});

Deno.test("undocumentedSettings() names each setting without a description and its file", () => {
  const sources = [
    { app: "x", title: "X", file: "x/config.ts", intro: "", settings: settingsOfSchema(schema) },
    {
      app: "y",
      title: "Y",
      file: "y/env.ts",
      intro: "",
      settings: settingsOfTable({ Y_ONE: { description: "One." }, Y_TWO: { description: " " } }),
    },
  ];
  assertEquals(undocumentedSettings(sources), ["x/config.ts: UNDOCUMENTED", "y/env.ts: Y_TWO"]);
});
