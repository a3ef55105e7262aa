import { assert, assertEquals } from "../../testing/assert.ts";
import { compilePolicy } from "../policy/compile_policy.ts";
import {
  applyBudgetOverride,
  type BudgetOverride,
  BudgetOverrides,
  withBudgetOverrides,
} from "./budget_overrides.ts";

const override = (
  budgets: BudgetOverride["budgets"],
  expiresAt: string | null = null,
): BudgetOverride => ({
  user: "u1",
  budgets,
  expiresAt,
  reason: "test",
  setBy: "admin",
  setAt: "2026-11-30T00:00:00.000Z",
});

const POLICY = compilePolicy({
  models: {},
  defaults: { budgets: { daily_usd: 5, monthly_tokens: 1000 } },
  groups: { eng: { pool: { budgets: { daily_usd: 100 } } } },
});

Deno.test("applyBudgetOverride() replaces or lifts the user's own budgets and leaves group pools alone", () => {
  const rules = POLICY.rulesFor({ sub: "u1", roles: [], groups: ["eng"] });
  const out = applyBudgetOverride(rules, override({ daily_usd: 50, monthly_tokens: null }));
  assertEquals(out.budgets.map((b) => [b.scope, b.period, b.unit, b.limit]), [
    ["user:u1", "daily", "usd", 50],
    ["group:eng", "daily", "usd", 100],
  ]);
  assert(out.budgets[0]!.rule.startsWith("admin budget override of daily_usd"));
  assertEquals(rules.budgets.length, 3, "the policy's rules are not changed");
});

Deno.test("withBudgetOverrides() applies a user's override until it expires, and follows updates", async () => {
  using kv = await Deno.openKv(":memory:");
  let now = new Date("2026-11-30T10:00:00Z");
  const overrides = new BudgetOverrides(kv, () => now);
  const holder = withBudgetOverrides({ current: POLICY }, overrides);
  const subject = { sub: "u1", roles: [], groups: [] };
  assertEquals(holder.current.rulesFor(subject).budgets[0]!.limit, 5);
  await overrides.set(override({ daily_usd: 7 }, "2026-11-30T12:00:00Z"));
  assertEquals(holder.current.rulesFor(subject).budgets[0]!.limit, 7);
  assertEquals(holder.current.rulesFor({ ...subject, sub: "u2" }).budgets[0]!.limit, 5);

  // Another instance reads it from KV.
  const other = new BudgetOverrides(kv, () => now);
  await other.refresh();
  assertEquals(other.active("u1")?.budgets, { daily_usd: 7 });

  now = new Date("2026-11-30T12:00:00Z");
  assertEquals(holder.current.rulesFor(subject).budgets[0]!.limit, 5, "expired");
  assertEquals(await overrides.remove("u1"), true);
  await other.refresh();
  assertEquals(other.list(), []);
});

// The KV, whose next list() (once `holdNextList()` is called) is read at once but answers only
// when released: a refresh() that read the overrides before a change through the same instance,
// and ends after it.
function kvWithHeldList(kv: Deno.Kv) {
  let held: Promise<void> | undefined;
  return {
    holdNextList(): () => void {
      let release!: () => void;
      held = new Promise<void>((resolve) => release = resolve);
      return release;
    },
    kv: {
      get: kv.get.bind(kv),
      atomic: kv.atomic.bind(kv),
      list<T>(selector: Deno.KvListSelector) {
        const read = Array.fromAsync(kv.list<T>(selector));
        const hold = held;
        held = undefined;
        return (async function* () {
          const entries = await read;
          await hold;
          yield* entries;
        })() as unknown as Deno.KvListIterator<T>;
      },
    },
  };
}

Deno.test("BudgetOverrides.refresh() that read KV before a set() or remove() through the same instance does not undo it", async () => {
  using kv = await Deno.openKv(":memory:");
  const held = kvWithHeldList(kv);
  const overrides = new BudgetOverrides(held.kv, () => new Date("2026-11-30T10:00:00Z"));
  await overrides.refresh();

  let release = held.holdNextList();
  let refreshing = overrides.refresh();
  await overrides.set(override({ daily_usd: 7 }));
  release();
  await refreshing;
  assertEquals(overrides.active("u1")?.budgets, { daily_usd: 7 });

  release = held.holdNextList();
  refreshing = overrides.refresh();
  assertEquals(await overrides.remove("u1"), true);
  release();
  await refreshing;
  assertEquals(overrides.active("u1"), undefined);
});
