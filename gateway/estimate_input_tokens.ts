import { imageDimensions } from "./image_dimensions.ts";
import { pdfPageCount } from "./pdf_page_count.ts";

/**
 * The most tokens one image costs: Claude Opus 4.7 and later read images up to 2,576 pixels on
 * the long edge, 4,784 tokens (older models scale them to about 1.15 megapixels, 1,600 tokens).
 */
const MAX_IMAGE_TOKENS = 4_784;
/** Pixels a token of an image covers (Anthropic: tokens = width × height / 750). */
const PIXELS_PER_TOKEN = 750;
/** Side of the square patch newer models read as one token. */
const PATCH_PIXELS = 28;
/**
 * Tokens of one PDF page: each page is read as an image (about 1,600 tokens, as a scanned page
 * costs) plus its text; measured 2,100 to 2,500 a page of text or tables on Claude 4.5 and 5.5.
 */
const PDF_PAGE_TOKENS = 4_000;
/** The most pages a request's PDFs may have (Anthropic's and Bedrock's limit). */
const MAX_PDF_PAGES = 100;
/** Tokens of the tool-use system prompt Anthropic adds when `tools` are present (about 350). */
const TOOL_PROMPT_TOKENS = 400;
const ASCII_CHARS_PER_TOKEN = 3;
const NON_ASCII_TOKENS_PER_CHAR = 1.5;

/**
 * Estimates the input tokens of a Messages request when Bedrock cannot count
 * them, erring high: ASCII text at 3 characters a token (Claude averages
 * about 3.5 to 4 for English and code), every other character at 1.5
 * tokens, JSON structure counted as text, an image by its size in pixels
 * (read from its header: width × height / 750, or one token per 28-pixel
 * patch when that is more, at most 4,784, the most one image costs; 4,784
 * when the size cannot be read), a base64 PDF at 4,000 tokens a page (its
 * page objects counted; when they cannot be, one token per 3 decoded bytes,
 * at most what 100 pages cost), other base64 documents at one token per 3
 * decoded bytes, and 400 tokens for the tool-use system prompt when tools are
 * present. The size of an image or PDF in bytes says little of its tokens: a
 * 3 MB scanned PDF of 3 pages costs about 5,000. Pure.
 *
 * @param body The request body (`system`, `messages`, `tools`, `tool_choice` are read).
 * @returns The estimate, at least 1.
 *
 * @example
 * ```ts
 * import { estimateInputTokens } from "./estimate_input_tokens.ts";
 * const n = estimateInputTokens({ messages: [{ role: "user", content: "Hello, world" }] });
 * console.assert(n >= 4);
 * ```
 */
export function estimateInputTokens(body: Record<string, unknown>): number {
  const counter = { ascii: 0, other: 0, fixed: 0 };
  for (const key of ["system", "messages", "tools", "tool_choice"]) {
    if (body[key] !== undefined) _walk(body[key], counter);
  }
  if (Array.isArray(body.tools) && body.tools.length > 0) counter.fixed += TOOL_PROMPT_TOKENS;
  const text = Math.ceil(counter.ascii / ASCII_CHARS_PER_TOKEN) +
    Math.ceil(counter.other * NON_ASCII_TOKENS_PER_CHAR);
  return Math.max(1, text + counter.fixed);
}

/**
 * {@linkcode estimateInputTokens} of an InvokeModel body as sent (JSON
 * bytes); a body that is not a JSON object counts one token per 3 bytes.
 *
 * @param body The Bedrock body.
 * @returns The estimate, at least 1.
 *
 * @example
 * ```ts
 * import { estimateBodyInputTokens } from "./estimate_input_tokens.ts";
 * const body = new TextEncoder().encode('{"messages":[{"role":"user","content":"Hello"}]}');
 * console.assert(estimateBodyInputTokens(body) >= 2);
 * ```
 */
export function estimateBodyInputTokens(body: Uint8Array): number {
  try {
    const value = JSON.parse(new TextDecoder().decode(body));
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      return estimateInputTokens(value);
    }
  } catch {
    // Counted by its bytes below.
  }
  return estimateBytesInputTokens(body.length);
}

/**
 * The input tokens of a request body known only by its size: one token per
 * 3 bytes (every byte counted as an ASCII character, erring high like
 * {@linkcode estimateInputTokens} for text; a character of 3 UTF-8 bytes
 * counts one). Pure.
 *
 * @param bytes The body's size in bytes.
 * @returns The estimate, at least 1.
 *
 * @example
 * ```ts
 * import { estimateBytesInputTokens } from "./estimate_input_tokens.ts";
 * console.assert(estimateBytesInputTokens(90_000) === 30_000);
 * ```
 */
export function estimateBytesInputTokens(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / ASCII_CHARS_PER_TOKEN));
}

type _Counter = { ascii: number; other: number; fixed: number };

function _walk(value: unknown, counter: _Counter): void {
  if (typeof value === "string") return _text(JSON.stringify(value), counter);
  if (value === null || typeof value !== "object") {
    return _text(String(value), counter);
  }
  if (Array.isArray(value)) {
    counter.ascii += 2;
    for (const item of value) {
      _walk(item, counter);
      counter.ascii += 1;
    }
    return;
  }
  const o = value as Record<string, unknown>;
  const source = o.source as Record<string, unknown> | undefined;
  if (
    (o.type === "image" || o.type === "document") && source !== null && typeof source === "object"
  ) {
    if (o.type === "image") counter.fixed += _imageTokens(source);
    else if (source.type === "base64" && typeof source.data === "string") {
      counter.fixed += _documentTokens(source.data, source.media_type);
    } else _walk(source, counter);
    for (const key of Object.keys(o)) {
      if (key !== "source") _walk(o[key], counter);
    }
    return;
  }
  counter.ascii += 2;
  for (const key of Object.keys(o)) {
    _text(JSON.stringify(key), counter);
    counter.ascii += 2;
    _walk(o[key], counter);
  }
}

/** An image block's tokens, erring high: by its pixels when its header can be read. */
function _imageTokens(source: Record<string, unknown>): number {
  const size = source.type === "base64" && typeof source.data === "string"
    ? imageDimensions(source.data)
    : undefined;
  if (size === undefined) return MAX_IMAGE_TOKENS;
  const { width, height } = size;
  const tokens = Math.max(
    Math.ceil((width * height) / PIXELS_PER_TOKEN),
    Math.ceil(width / PATCH_PIXELS) * Math.ceil(height / PATCH_PIXELS),
  );
  return Math.min(MAX_IMAGE_TOKENS, tokens);
}

/** A base64 document's tokens: a PDF by its pages, anything else by its decoded bytes. */
function _documentTokens(data: string, mediaType: unknown): number {
  const byBytes = Math.ceil((data.length * 3) / 4 / 3);
  if (mediaType !== "application/pdf") return byBytes;
  const pages = pdfPageCount(data);
  if (pages === undefined) return Math.min(byBytes, MAX_PDF_PAGES * PDF_PAGE_TOKENS);
  return Math.min(pages, MAX_PDF_PAGES) * PDF_PAGE_TOKENS;
}

/** Any non-ASCII UTF-16 code unit; text without one is counted by length (most prompts and code). */
const NON_ASCII = /[\u0080-\uffff]/;

function _text(text: string, counter: _Counter): void {
  if (!NON_ASCII.test(text)) {
    counter.ascii += text.length;
    return;
  }
  for (const ch of text) {
    if (ch.charCodeAt(0) < 128) counter.ascii++;
    else counter.other++;
  }
}
