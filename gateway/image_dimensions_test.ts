import { assertEquals } from "../testing/assert.ts";
import { imageDimensions } from "./image_dimensions.ts";

const b64 = (bytes: number[]) => btoa(String.fromCharCode(...bytes));
const be16 = (n: number) => [n >> 8, n & 0xff];
const le16 = (n: number) => [n & 0xff, n >> 8];
const le24 = (n: number) => [n & 0xff, (n >> 8) & 0xff, n >> 16];
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/** A JPEG's start: SOI, an APP0 and an APP1 of `exifBytes`, a DQT, then a frame header (SOF). */
function jpeg(width: number, height: number, sof = 0xc0, exifBytes = 8): number[] {
  return [
    0xff,
    0xd8,
    ...[0xff, 0xe0, ...be16(16), ...ascii("JFIF\0"), 1, 1, 0, 0, 1, 0, 1, 0, 0],
    ...[0xff, 0xe1, ...be16(2 + exifBytes), ...new Array(exifBytes).fill(0x45)],
    ...[0xff, 0xff], // fill bytes before a marker
    ...[0xff, 0xdb, ...be16(4), 0, 1],
    ...[0xff, sof, ...be16(17), 8, ...be16(height), ...be16(width), 3],
    ...new Array(12).fill(0),
  ];
}

Deno.test("imageDimensions() reads a PNG's size from its IHDR", () => {
  const png =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";
  assertEquals(imageDimensions(png), { width: 1, height: 1 });
  const header = [137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, ...ascii("IHDR")];
  const big = [...header, 0, 0, 0x0b, 0xb8, 0, 0, 0x07, 0xd0, 8, 2, 0, 0, 0];
  assertEquals(imageDimensions(b64(big)), { width: 3000, height: 2000 });
});

Deno.test("imageDimensions() walks a JPEG's segments to its frame header, baseline or progressive", () => {
  assertEquals(imageDimensions(b64(jpeg(2000, 1333))), { width: 2000, height: 1333 });
  assertEquals(imageDimensions(b64(jpeg(640, 480, 0xc2, 5_000))), { width: 640, height: 480 });
  // Cut before its frame header: unknown.
  assertEquals(imageDimensions(b64(jpeg(640, 480).slice(0, 30))), undefined);
});

Deno.test("imageDimensions() reads GIF and the three WebP headers", () => {
  assertEquals(
    imageDimensions(b64([...ascii("GIF89a"), ...le16(320), ...le16(200), 0, 0, 0])),
    { width: 320, height: 200 },
  );
  const riff = (chunk: string, body: number[]) => [
    ...ascii("RIFF"),
    0,
    0,
    0,
    0,
    ...ascii("WEBP"),
    ...ascii(chunk),
    ...body,
  ];
  // VP8X: flags, reserved, canvas width - 1 and height - 1 on 24 bits.
  const vp8x = riff("VP8X", [10, 0, 0, 0, 0, 0, 0, 0, ...le24(1919), ...le24(1079)]);
  assertEquals(imageDimensions(b64(vp8x)), { width: 1920, height: 1080 });
  // VP8L: signature 0x2f, then width - 1 and height - 1 on 14 bits each.
  const bits = 799 | (599 << 14);
  const vp8l = riff("VP8L", [
    0,
    0,
    0,
    0,
    0x2f,
    ...le16(bits & 0xffff),
    ...le16(bits >>> 16),
    0,
    0,
    0,
    0,
    0,
  ]);
  assertEquals(imageDimensions(b64(vp8l)), { width: 800, height: 600 });
  // VP8: frame tag, start code, then width and height on 14 bits.
  const vp8 = riff("VP8 ", [0, 0, 0, 0, 0, 0, 0, 0x9d, 0x01, 0x2a, ...le16(1024), ...le16(768)]);
  assertEquals(imageDimensions(b64(vp8)), { width: 1024, height: 768 });
});

Deno.test("imageDimensions() is undefined for data that is not a known image or not base64", () => {
  assertEquals(imageDimensions("A".repeat(1_000)), undefined);
  assertEquals(imageDimensions("not base64!"), undefined);
  assertEquals(imageDimensions(""), undefined);
});
