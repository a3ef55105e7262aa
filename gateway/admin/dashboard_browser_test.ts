import { assert, assertEquals } from "../../testing/assert.ts";
import { launchChromium } from "../../testing/chromium.ts";
import { startGatewayStack } from "../../testing/gateway_stack.ts";
import { ledgerEntry } from "../../testing/ledger_fixtures.ts";
import { dayOf } from "../ledger/ledger_entry.ts";

const ARTIFACTS = new URL("../../.ccgate/artifacts/", import.meta.url);

/** `n` days before today (UTC), `YYYY-MM-DD`. */
const daysAgo = (n: number) => dayOf(new Date(Date.now() - n * 86_400_000));

Deno.test({
  name:
    "the usage dashboard in headless Chromium signs in, shows the seeded usage and filters by day range and group",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await using stack = await startGatewayStack();
    const seed = [
      {
        day: daysAgo(0),
        user: "ann@example",
        groups: ["eng"],
        input: 1_000,
        output: 500,
        cost: 0.25,
      },
      {
        day: daysAgo(1),
        user: "bob@example",
        groups: ["sales"],
        input: 300,
        output: 100,
        cost: 0.05,
      },
      {
        day: daysAgo(3),
        user: "ann@example",
        groups: ["eng"],
        input: 200,
        output: 50,
        cost: 0.02,
        failed: true,
      },
      {
        day: daysAgo(20),
        user: "cy@example",
        groups: ["eng"],
        input: 9_000,
        output: 1_000,
        cost: 1.5,
      },
    ];
    seed.forEach((s, i) =>
      stack.ledger.append(ledgerEntry({
        requestId: `req_seed_${i}`,
        day: s.day,
        at: `${s.day}T12:00:00.000Z`,
        user: s.user,
        groups: s.groups,
        inputTokens: s.input,
        outputTokens: s.output,
        costUsd: s.cost,
        outcome: s.failed ? "upstream_error" : "completed",
        errorType: s.failed ? "ThrottlingException" : null,
        totalMs: 1_000 * (i + 1),
      }))
    );
    await stack.ledger.flush();
    const admin = await stack.issuer.mint({ claims: { roles: ["ccgate.admin"] } });

    await using browser = await launchChromium();
    const page = await browser.newPage();
    const failedRequests: string[] = [];
    page.on("requestfailed", (r) => failedRequests.push(r.url()));
    await page.goto(`${stack.url}/admin/`);
    const status = (text: string) =>
      page.locator("[data-testid=status]", { hasText: new RegExp(`^.*: ${text}$`) }).waitFor();

    // A token without the admin role is refused with the gateway's message.
    await page.fill("[data-testid=token]", stack.token);
    await page.click("[data-testid=signin-button]");
    await page.locator("[role=alert]", { hasText: "ccgate.admin" }).waitFor();
    assert(await page.isHidden("#app"));

    await page.fill("[data-testid=token]", admin);
    await page.click("[data-testid=signin-button]");
    const requests = page.locator("[data-testid=total-requests]");
    // Default range: the last 7 days (the seed 20 days ago is outside).
    await status("3 requests");
    assertEquals(await requests.textContent(), "3");
    assertEquals(await page.textContent("[data-testid=total-tokens]"), "2,150");
    assertEquals(await page.textContent("[data-testid=total-cost]"), "$0.3200");
    assertEquals(await page.textContent("[data-testid=error-rate]"), "33.3%");
    assertEquals(await page.textContent("[data-testid=who]"), "Alice Example");
    assertEquals(await page.locator("[data-testid=chart-tokens] rect").count(), 7);
    const topUsers = await page.locator("[data-testid=top-users] tbody tr td:first-child")
      .allTextContents();
    assertEquals(topUsers, ["ann@example", "bob@example"]);
    assertEquals(
      await page.locator("[data-testid=error-types] tbody td").allTextContents(),
      ["ThrottlingException", "1"],
    );
    assertEquals(await page.evaluate(() => sessionStorage.length), 1, "token kept in the tab");

    // A wider range takes in the old request.
    await page.fill("[data-testid=from]", daysAgo(25));
    await page.click("[data-testid=apply]");
    await status("4 requests");
    assertEquals(await page.locator("[data-testid=chart-tokens] rect").count(), 26);
    assertEquals(
      (await page.locator("[data-testid=top-users] tbody tr td:first-child").allTextContents())[0],
      "cy@example",
    );
    await Deno.mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: new URL("dashboard.png", ARTIFACTS).pathname, fullPage: true });

    // One day only, then one group only.
    await page.fill("[data-testid=from]", daysAgo(1));
    await page.fill("[data-testid=to]", daysAgo(1));
    await page.click("[data-testid=apply]");
    await status("1 requests");
    assertEquals(
      await page.locator("[data-testid=top-users] tbody tr td:first-child").allTextContents(),
      ["bob@example"],
    );
    await page.fill("[data-testid=from]", daysAgo(25));
    await page.fill("[data-testid=to]", daysAgo(0));
    await page.fill("[data-testid=group]", "eng");
    await page.click("[data-testid=apply]");
    await status("3 requests");
    assertEquals(await page.textContent("[data-testid=total-tokens]"), "11,750");
    await page.screenshot({
      path: new URL("dashboard-group-eng.png", ARTIFACTS).pathname,
      fullPage: true,
    });
    // A refused query shows the gateway's message from the error JSON, not only the status.
    await page.fill("[data-testid=from]", daysAgo(0));
    await page.fill("[data-testid=to]", daysAgo(1));
    await page.click("[data-testid=apply]");
    await page.locator("[data-testid=status]", {
      hasText: `Request failed: 400: Invalid day range "${daysAgo(0)}".."${daysAgo(1)}"`,
    }).waitFor();
    assertEquals(failedRequests, []);
    const png = await Deno.stat(new URL("dashboard.png", ARTIFACTS));
    assert(png.size > 10_000, "the screenshot has content");
  },
});

Deno.test({
  name:
    "the usage dashboard in headless Chromium shows an admin of a non-admin tenant their tenant's usage only, without the group filter and audit CSV",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const A = "11111111-1111-1111-1111-111111111111";
    const B = "22222222-2222-4222-8222-222222222222";
    await using stack = await startGatewayStack({ env: { ENTRA_TENANT_ID: `${A},${B}` } });
    const seed: [string, string, number][] = [["ann@a", A, 1_000], ["bob@b", B, 300], [
      "bea@b",
      B,
      200,
    ]];
    seed.forEach(([user, tid, input], i) =>
      stack.ledger.append(ledgerEntry({
        requestId: `req_tenant_${i}`,
        day: daysAgo(0),
        at: `${daysAgo(0)}T12:00:00.000Z`,
        user,
        tid,
        groups: ["eng"],
        inputTokens: input,
        outputTokens: 0,
      }))
    );
    await stack.ledger.flush();
    const admin = await stack.issuer.mint({ claims: { tid: B, roles: ["ccgate.admin"] } });

    await using browser = await launchChromium();
    const page = await browser.newPage();
    await page.goto(`${stack.url}/admin/`);
    await page.fill("[data-testid=token]", admin);
    await page.click("[data-testid=signin-button]");
    await page.locator("[data-testid=status]", { hasText: /: 2 requests$/ }).waitFor();
    assertEquals(await page.textContent("[data-testid=who]"), `Alice Example (tenant ${B})`);
    assertEquals(await page.textContent("[data-testid=total-tokens]"), "500");
    assertEquals(
      await page.locator("[data-testid=top-users] tbody tr td:first-child").allTextContents(),
      ["bob@b", "bea@b"],
    );
    assert(await page.isHidden("[data-testid=group]"), "group roll-ups cover every tenant");
    assert(await page.isHidden("[data-testid=csv-audit]"), "so does the audit log");
  },
});

Deno.test({
  name:
    "the usage dashboard in headless Chromium shows unpriced usage as unpriced (never $0), fits its axis labels, and loads without a failed resource or console error",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await using stack = await startGatewayStack();
    // No policy: nothing is priced. Two days of unpriced requests (one of 123,456,789 tokens), and
    // one priced request (as a request of a model the policy priced at the time) before them.
    const seed: [number, string, number, number, number | null][] = [
      [0, "ann@example", 123_000_000, 456_789, null],
      [1, "bob@example", 1_000, 500, null],
      [2, "cy@example", 300, 100, 0.25],
    ];
    seed.forEach(([ago, user, input, output, costUsd], i) =>
      stack.ledger.append(ledgerEntry({
        requestId: `req_unpriced_${i}`,
        day: daysAgo(ago),
        at: `${daysAgo(ago)}T12:00:00.000Z`,
        user,
        inputTokens: input,
        outputTokens: output,
        costUsd,
      }))
    );
    await stack.ledger.flush();
    const admin = await stack.issuer.mint({ claims: { roles: ["ccgate.admin"] } });

    await using browser = await launchChromium();
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(`console: ${m.text()} (${m.location().url})`);
    });
    page.on("response", (r) => {
      if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
    });
    page.on("requestfailed", (r) => problems.push(`failed ${r.url()}`));
    await page.goto(`${stack.url}/admin/`);
    await page.fill("[data-testid=token]", admin);
    await page.click("[data-testid=signin-button]");
    const status = (text: string) =>
      page.locator("[data-testid=status]", { hasText: new RegExp(`^.*: ${text}$`) }).waitFor();
    const costCells = (table: string) =>
      page.locator(`[data-testid=${table}] tbody tr td:nth-child(4)`).allTextContents();

    // The last 7 days: the priced request's cost, and how many requests it leaves out.
    await status("3 requests");
    const costCard = page.locator(".card", { has: page.locator("[data-testid=total-cost]") });
    assertEquals(
      await costCard.innerText(),
      "$0.2500\ncost (USD)\nand 2 requests unpriced, not in the total",
    );
    assertEquals(await costCells("top-users"), ["unpriced", "unpriced", "$0.2500"]);
    assertEquals(await costCells("top-models"), ["$0.2500 + 2 unpriced"]);
    // A day of unpriced requests only has no point on the cost line (days without requests: $0).
    const dots = page.locator("[data-testid=chart-cost] circle");
    assertEquals(await dots.count(), 5);
    assertEquals(
      await page.locator(`[data-testid=chart-cost] circle[data-day="${daysAgo(1)}"]`).count(),
      0,
    );

    // Unpriced requests only: no dollar figure at all.
    await page.fill("[data-testid=from]", daysAgo(1));
    await page.click("[data-testid=apply]");
    await status("2 requests");
    assertEquals(
      await costCard.innerText(),
      "—\ncost (USD)\n2 requests unpriced: no price in the policy",
    );
    assertEquals(await costCells("top-users"), ["unpriced", "unpriced"]);
    await page.locator("[data-testid=cost-unpriced]", { hasText: "2 requests unpriced" }).waitFor();
    assertEquals(await page.locator("[data-testid=chart-cost] svg").count(), 0);

    // The Y axis: short labels, each wholly inside the chart (none cut off at its left edge).
    assertEquals(
      await page.locator("[data-testid=chart-tokens] text[data-axis=y]").allTextContents(),
      ["0", "61.73M", "123.46M"],
    );
    const lefts = await page.locator("[data-testid=chart-tokens] svg text").evaluateAll((texts) =>
      texts.map((t) => (t as unknown as { getBBox(): { x: number } }).getBBox().x)
    );
    assert(lefts.length > 3 && lefts.every((x) => x >= 0), `labels start at ${lefts}`);
    assertEquals(problems, []);
  },
});
