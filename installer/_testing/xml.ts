/**
 * Test helper: a strict little XML parser (elements, attributes, text; the
 * prolog, DOCTYPE and comments skipped) and a plist reader on top of it, so
 * tests assert the structure of rendered plists and Task Scheduler XML.
 *
 * @module
 */

/** An XML element. */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

function unescape(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'").replace(/&amp;/g, "&");
}

/** Parses XML; throws on any mismatched tag or stray markup. */
export function parseXml(xml: string): XmlElement {
  let i = 0;
  const skipMisc = () => {
    for (;;) {
      while (i < xml.length && /\s/.test(xml[i]!)) i++;
      if (xml.startsWith("<?", i)) i = xml.indexOf("?>", i) + 2;
      else if (xml.startsWith("<!--", i)) i = xml.indexOf("-->", i) + 3;
      else if (xml.startsWith("<!DOCTYPE", i)) i = xml.indexOf(">", i) + 1;
      else return;
      if (i <= 1) throw new Error("Unterminated markup");
    }
  };
  const element = (): XmlElement => {
    const open = /^<([A-Za-z_][\w.-]*)((?:\s+[\w:.-]+="[^"]*")*)\s*(\/?)>/.exec(xml.slice(i));
    if (!open) throw new Error(`Expected an element at ${i}: ${xml.slice(i, i + 30)}`);
    i += open[0].length;
    const attributes: Record<string, string> = {};
    for (const m of open[2]!.matchAll(/([\w:.-]+)="([^"]*)"/g)) attributes[m[1]!] = unescape(m[2]!);
    const el: XmlElement = { name: open[1]!, attributes, children: [], text: "" };
    if (open[3] === "/") return el;
    for (;;) {
      const lt = xml.indexOf("<", i);
      if (lt < 0) throw new Error(`Unclosed <${el.name}>`);
      el.text += unescape(xml.slice(i, lt));
      i = lt;
      if (xml.startsWith("<!--", i)) {
        i = xml.indexOf("-->", i) + 3;
        continue;
      }
      if (xml.startsWith("</", i)) {
        const close = /^<\/([\w.-]+)\s*>/.exec(xml.slice(i));
        if (!close || close[1] !== el.name) {
          throw new Error(`Mismatched </${close?.[1]}> for <${el.name}>`);
        }
        i += close[0].length;
        el.text = el.children.length > 0 ? el.text.trim() : el.text;
        return el;
      }
      el.children.push(element());
    }
  };
  skipMisc();
  const root = element();
  skipMisc();
  if (i !== xml.length) throw new Error("Content after the root element");
  return root;
}

/** The first child named `name` (throws when missing). */
export function child(el: XmlElement, name: string): XmlElement {
  const found = el.children.find((c) => c.name === name);
  if (!found) throw new Error(`<${el.name}> has no <${name}>`);
  return found;
}

/** Reads a parsed `<plist>` as a JS value. */
export function plistValue(el: XmlElement): unknown {
  switch (el.name) {
    case "plist":
      return plistValue(el.children[0]!);
    case "dict": {
      const out: Record<string, unknown> = {};
      for (let k = 0; k < el.children.length; k += 2) {
        const key = el.children[k]!;
        if (key.name !== "key") throw new Error("A <dict> entry without <key>");
        out[key.text] = plistValue(el.children[k + 1]!);
      }
      return out;
    }
    case "array":
      return el.children.map(plistValue);
    case "string":
      return el.text;
    case "integer":
      return Number.parseInt(el.text, 10);
    case "real":
      return Number.parseFloat(el.text);
    case "true":
      return true;
    case "false":
      return false;
    default:
      throw new Error(`Unknown plist element <${el.name}>`);
  }
}
