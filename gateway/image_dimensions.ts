/** An image's size in pixels. */
export interface ImageDimensions {
  width: number;
  height: number;
}

/** JPEG markers that start a frame (SOF0–SOF15 but DHT, JPG and DAC): their header holds the size. */
const JPEG_FRAME_MARKERS = new Set([
  0xc0,
  0xc1,
  0xc2,
  0xc3,
  0xc5,
  0xc6,
  0xc7,
  0xc9,
  0xca,
  0xcb,
  0xcd,
  0xce,
  0xcf,
]);

/** JPEG segments read before giving up on finding the frame header. */
const MAX_JPEG_SEGMENTS = 256;

/**
 * The width and height of a base64-encoded PNG, JPEG, GIF or WebP image (the
 * formats the Messages API takes), read from its header: only the few bytes
 * needed are decoded, never the whole image. Pure.
 *
 * @param data The image's base64 text (an `image` block's `source.data`).
 * @returns Its size, or `undefined` when the data is not one of those formats or is cut short.
 *
 * @example
 * ```ts
 * import { imageDimensions } from "./image_dimensions.ts";
 * // A 1×1 PNG.
 * const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";
 * console.assert(imageDimensions(png)?.width === 1);
 * ```
 */
export function imageDimensions(data: string): ImageDimensions | undefined {
  const head = _bytesAt(data, 0, 30);
  if (head === undefined || head.length < 10) return undefined;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (head[0] === 0x89 && head[1] === 0x50 && head[2] === 0x4e && head[3] === 0x47) {
    return head.length < 24 ? undefined : _sized(view.getUint32(16), view.getUint32(20));
  }
  if (head[0] === 0x47 && head[1] === 0x49 && head[2] === 0x46) {
    return _sized(view.getUint16(6, true), view.getUint16(8, true));
  }
  if (head[0] === 0xff && head[1] === 0xd8) return _jpeg(data);
  if (_ascii(head, 0, 4) === "RIFF" && _ascii(head, 8, 4) === "WEBP" && head.length >= 30) {
    switch (_ascii(head, 12, 4)) {
      case "VP8 ":
        return _sized(view.getUint16(26, true) & 0x3fff, view.getUint16(28, true) & 0x3fff);
      case "VP8L": {
        const bits = view.getUint32(21, true);
        return _sized((bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
      }
      case "VP8X":
        return _sized(_uint24(head, 24) + 1, _uint24(head, 27) + 1);
    }
  }
  return undefined;
}

/** Walks a JPEG's segments to its frame header. */
function _jpeg(data: string): ImageDimensions | undefined {
  let offset = 2;
  for (let i = 0; i < MAX_JPEG_SEGMENTS; i++) {
    const segment = _bytesAt(data, offset, 9);
    if (segment === undefined || segment.length < 4 || segment[0] !== 0xff) return undefined;
    const marker = segment[1]!;
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    if (JPEG_FRAME_MARKERS.has(marker)) {
      if (segment.length < 9) return undefined;
      return _sized((segment[7]! << 8) | segment[8]!, (segment[5]! << 8) | segment[6]!);
    }
    offset += 2 + ((segment[2]! << 8) | segment[3]!);
  }
  return undefined;
}

function _sized(width: number, height: number): ImageDimensions | undefined {
  return width > 0 && height > 0 ? { width, height } : undefined;
}

function _ascii(bytes: Uint8Array, at: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + length));
}

function _uint24(bytes: Uint8Array, at: number): number {
  return bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16);
}

/**
 * Decodes `length` bytes at `offset` of base64 `data` (fewer at its end),
 * touching only the base64 characters that hold them; `undefined` when they
 * are not base64.
 */
function _bytesAt(data: string, offset: number, length: number): Uint8Array | undefined {
  const first = Math.floor(offset / 3);
  const last = Math.ceil((offset + length) / 3);
  let binary: string;
  try {
    binary = atob(data.slice(first * 4, last * 4));
  } catch {
    return undefined;
  }
  const skip = offset - first * 3;
  const bytes = new Uint8Array(Math.max(0, Math.min(length, binary.length - skip)));
  for (let i = 0; i < bytes.length; i++) bytes[i] = binary.charCodeAt(skip + i);
  return bytes;
}
