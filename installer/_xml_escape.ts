/** Escapes text for an XML element's content (`&`, `<`, `>`), as plists and Task Scheduler XML need. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
