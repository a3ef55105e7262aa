import { escapeXml } from "./_xml_escape.ts";

/** A value a property list can hold. */
export type PlistValue =
  | string
  | number
  | boolean
  | PlistValue[]
  | { [key: string]: PlistValue | undefined };

function render(value: PlistValue, indent: string): string[] {
  const inner = indent + "\t";
  if (typeof value === "string") return [`${indent}<string>${escapeXml(value)}</string>`];
  if (typeof value === "boolean") return [`${indent}<${value}/>`];
  if (typeof value === "number") {
    return Number.isInteger(value)
      ? [`${indent}<integer>${value}</integer>`]
      : [`${indent}<real>${value}</real>`];
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return [`${indent}<array/>`];
    return [`${indent}<array>`, ...value.flatMap((v) => render(v, inner)), `${indent}</array>`];
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined) as [
    string,
    PlistValue,
  ][];
  if (entries.length === 0) return [`${indent}<dict/>`];
  return [
    `${indent}<dict>`,
    ...entries.flatMap(([k, v]) => [`${inner}<key>${escapeXml(k)}</key>`, ...render(v, inner)]),
    `${indent}</dict>`,
  ];
}

/** Renders an XML property list (Apple's DTD, tabs, a final newline), keys in insertion order. */
export function renderPlist(root: { [key: string]: PlistValue | undefined }): string {
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">`,
    `<plist version="1.0">`,
    ...render(root, ""),
    `</plist>`,
    "",
  ].join("\n");
}
