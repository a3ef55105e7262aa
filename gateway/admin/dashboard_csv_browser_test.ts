import { assert, assertEquals } from "../../testing/assert.ts";
import { launchChromium } from "../../testing/chromium.ts";
import { startGatewayStack } from "../../testing/gateway_stack.ts";
import { ledgerEntry } from "../../testing/ledger_fixtures.ts";
import { dayOf } from "../ledger/ledger_entry.ts";
import { ENTRY_COLUMNS, USAGE_COLUMNS } from "./admin_routes.ts";
import { AuditLog, MAX_AUDIT_PAGE_SIZE } from "./audit_log.ts";
import { AUDIT_CSV_COLUMNS } from "./audit_response.ts";

/** `n` days before today (UTC), `YYYY-MM-DD`. */
const daysAgo = (n: number) => dayOf(new Date(Date.now() - n * 86_400_000));

/** Parses RFC 4180 CSV text (CRLF line ends, quoted fields with doubled quotes) into rows. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += ch;
  }
  assertEquals(field + row.join(""), "", "the CSV ends with CRLF");
  return rows;
}

Deno.test({
  name:
    "the dashboard's Audit CSV button saves every page of the audit log as one CSV with one header row, and nothing when a page fails",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await using stack = await startGatewayStack();
    // More records than the largest page, so the export takes two pages at any page size the
    // dashboard may ask for; some fields need quoting (commas, quotes, a line break).
    const seeded = MAX_AUDIT_PAGE_SIZE + 500;
    const day = daysAgo(1);
    const start = Date.parse(`${day}T00:00:00.000Z`);
    const audit = new AuditLog(stack.kv);
    const ids: string[] = [];
    for (let i = 0; i < seeded; i++) {
      const requestId = `req_seed_audit_${String(i).padStart(6, "0")}`;
      ids.push(requestId);
      await audit.write({
        at: new Date(start + i * 1_000).toISOString(),
        requestId,
        actor: "seed-admin",
        sid: "seed-sid",
        action: i % 7 === 0 ? `GET /admin/api/usage\r\na, "b" ${i}` : "GET /admin/api/usage",
        details: { from: [day], note: [`c, "d" ${i}`] },
        status: 200,
        decision: "allowed",
      });
    }
    [0, 1, 2].forEach((n) =>
      stack.ledger.append(ledgerEntry({
        requestId: `req_seed_entry_${n}`,
        day: daysAgo(n),
        at: `${daysAgo(n)}T12:00:00.000Z`,
        user: "ann@example",
      }))
    );
    await stack.ledger.flush();
    const admin = await stack.issuer.mint({ claims: { roles: ["ccgate.admin"] } });

    await using browser = await launchChromium();
    const page = await browser.newPage();
    const auditRequests: URL[] = [];
    page.on("request", (r) => {
      const url = new URL(r.url());
      if (url.pathname === "/admin/audit") auditRequests.push(url);
    });
    const downloads: string[] = [];
    page.on("download", (d) => downloads.push(d.suggestedFilename()));
    await page.goto(`${stack.url}/admin/`);
    await page.fill("[data-testid=token]", admin);
    await page.click("[data-testid=signin-button]");
    await page.locator("[data-testid=status]", { hasText: /: 3 requests$/ }).waitFor();

    const save = async (button: string): Promise<string[][]> => {
      const [download] = await Promise.all([page.waitForEvent("download"), page.click(button)]);
      const path = await download.path();
      return parseCsv(await Deno.readTextFile(path));
    };

    const column = (name: (typeof AUDIT_CSV_COLUMNS)[number]) => AUDIT_CSV_COLUMNS.indexOf(name);
    /** The file's records by request id, after checking its header row and that no record repeats. */
    const auditFile = (rows: string[][]): Map<string, string[]> => {
      assertEquals(rows[0], [...AUDIT_CSV_COLUMNS], "the header row comes first");
      const header = rows[0]!.join(",");
      assertEquals(rows.filter((r) => r.join(",") === header).length, 1, "one header row");
      const records = new Map(rows.slice(1).map((r) => [r[column("requestId")]!, r]));
      assertEquals(records.size, rows.length - 1, "no record twice");
      assertEquals(ids.filter((id) => !records.has(id)), [], "every seeded record is in the file");
      return records;
    };

    const records = auditFile(await save("#csv-audit"));
    // Besides the seed: the dashboard's own calls (me, summary) before the export began.
    assertEquals(records.size, seeded + 2);
    const seventh = records.get(ids[7]!)!;
    assertEquals(seventh[column("action")], 'GET /admin/api/usage\r\na, "b" 7');
    assertEquals(JSON.parse(seventh[column("details")]!), { from: [day], note: ['c, "d" 7'] });
    // Two pages of the largest size the API allows, the second after the first's cursor.
    assertEquals(auditRequests.map((u) => u.searchParams.get("limit")), [
      String(MAX_AUDIT_PAGE_SIZE),
      String(MAX_AUDIT_PAGE_SIZE),
    ]);
    assertEquals(auditRequests.map((u) => u.searchParams.has("after")), [false, true]);
    assertEquals(
      await page.textContent("[data-testid=status]"),
      `${daysAgo(6)} to ${daysAgo(0)}: 3 requests`,
    );

    // A later page that the gateway refuses (a cursor it cannot read): its message, no file.
    await page.route(/\/admin\/audit\?.*after=/, (route) => {
      const url = new URL(route.request().url());
      url.searchParams.set("after", "not-a-cursor");
      return route.continue({ url: url.href });
    });
    await page.click("#csv-audit");
    await page.locator("[data-testid=status]", {
      hasText: 'Request failed: 400: Cannot read the audit log: "after" must be',
    }).waitFor();
    await page.unroute(/\/admin\/audit\?.*after=/);
    // The next export succeeds; had the failed one saved a file, its download would come first.
    const again = auditFile(await save("#csv-audit"));
    // The first export's two pages and the failed one's two (the second refused) were audited too.
    assertEquals(again.size, records.size + 4);
    assertEquals(downloads, ["ccgate-audit.csv", "ccgate-audit.csv"]);

    // The other CSV buttons: entries stream every entry, usage is one answer.
    const entries = await save("#csv-entries");
    assertEquals(entries[0], [...ENTRY_COLUMNS]);
    assertEquals(
      entries.slice(1).map((r) => r[0]).sort(),
      ["req_seed_entry_0", "req_seed_entry_1", "req_seed_entry_2"],
    );
    const usage = await save("#csv-usage");
    assertEquals(usage[0], [...USAGE_COLUMNS]);
    assert(usage.length > 1, "usage rows");
    assertEquals(usage.filter((r) => r.join(",") === usage[0]!.join(",")).length, 1);
    assertEquals(downloads.length, 4);
  },
});
