import { assertEquals } from "../../testing/assert.ts";
import { toCsv } from "./to_csv.ts";

Deno.test("toCsv() quotes commas, quotes and line breaks, and writes empty fields for null", () => {
  const csv = toCsv(["a", "b", "c"], [
    { a: 'say "hi"', b: "x,y", c: null },
    { a: "line\nbreak", b: 3.5, c: true },
    { a: ["eng", "ml"] },
  ]);
  assertEquals(
    csv,
    'a,b,c\r\n"say ""hi""","x,y",\r\n"line\nbreak",3.5,true\r\neng ml,,\r\n',
  );
});

Deno.test("toCsv() neutralises text a spreadsheet would run as a formula", () => {
  assertEquals(
    toCsv(["v"], [{ v: "=SUM(A1)" }, { v: "+1" }, { v: "-2" }, { v: "@x" }, { v: -2 }]),
    "v\r\n'=SUM(A1)\r\n'+1\r\n'-2\r\n'@x\r\n-2\r\n",
  );
});

Deno.test("toCsv() writes an object as JSON text, quoted, and neutralises full-width formula signs", () => {
  const csv = toCsv(["details", "v"], [
    { details: { user: ["=1+2"], n: 3 }, v: "\uff1dSUM(A1)" },
    { details: [{ a: 1 }], v: "\uff20x" },
  ]);
  assertEquals(
    csv,
    'details,v\r\n"{""user"":[""=1+2""],""n"":3}",\'\uff1dSUM(A1)\r\n"[{""a"":1}]",\'\uff20x\r\n',
  );
});
