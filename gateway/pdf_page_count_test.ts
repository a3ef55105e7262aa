import { assertEquals } from "../testing/assert.ts";
import { pdfPageCount } from "./pdf_page_count.ts";

/** A PDF of `pages` pages, each object on its own, padded with a `padBytes` stream (a scan's size). */
function pdf(pages: number, padBytes = 0): string {
  let text = "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n";
  text += `2 0 obj << /Type /Pages /Count ${pages} >> endobj\n`;
  for (let i = 0; i < pages; i++) {
    text += `${3 + i} 0 obj << /Type/Page /Parent 2 0 R >> endobj\n`;
    if (padBytes > 0) text += `stream\n${"0123456789abcdef".repeat(padBytes / 16)}\nendstream\n`;
  }
  return btoa(text + "%%EOF\n");
}

Deno.test("pdfPageCount() counts page objects, not the page tree", () => {
  assertEquals(pdfPageCount(pdf(1)), 1);
  assertEquals(pdfPageCount(pdf(12)), 12);
});

Deno.test("pdfPageCount() counts a large PDF chunk by chunk, a page object across two chunks once", () => {
  // 3 pages of 1 MB each: page objects land at many offsets of the 768 KB chunks.
  assertEquals(pdfPageCount(pdf(3, 1 << 20)), 3);
  for (let shift = 0; shift < 40; shift += 4) {
    const padded = btoa(
      "%PDF-1.4\n" + "x".repeat(786_432 - 9 - 12 - shift) + "/Type /Page " + "y".repeat(64),
    );
    assertEquals(pdfPageCount(padded), 1, `shift ${shift}`);
  }
});

Deno.test("pdfPageCount() is undefined without a page object to see, or for data that is not a PDF", () => {
  assertEquals(
    pdfPageCount(btoa("%PDF-1.5\n1 0 obj << /Type /ObjStm /N 4 >> stream\nxx\nendstream\n")),
    undefined,
  );
  assertEquals(pdfPageCount(btoa("<< /Type /Page >>")), undefined);
  assertEquals(pdfPageCount("not base64!"), undefined);
});
