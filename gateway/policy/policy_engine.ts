import {
  BudgetExceededError,
  ConcurrencyLimitedError,
  MaxTokensOverLimitError,
  RateLimitedError,
  RequestOverBudgetError,
} from "../errors.ts";
import type { Log } from "../log.ts";
import type { ListedModel } from "../model_map.ts";
import { costUsd, type ModelPrice, type PriceOf } from "../model_price.ts";
import type { Timers } from "../timers.ts";
import type { TokenUsage } from "../usage.ts";
import type { CatalogueModel, CompiledPolicy } from "./compile_policy.ts";
import { allowsModel, checkAllowedModel } from "./check_allowed_model.ts";
import {
  budgetLimitUnits,
  budgetMessage,
  escrowPrice,
  outputRoom,
  requestOverBudget,
  worstCaseMicros,
} from "./budget_message.ts";
import { counterKeysFor } from "./counter_keys_for.ts";
import { defaultedMaxTokens } from "./defaulted_max_tokens.ts";
import { slidingCount, slidingRetryAfter } from "./sliding_minute.ts";
import type { PolicySubject } from "./effective_rules.ts";
import { type CounterKey, SharedCounters } from "./shared_counters.ts";
import { repeatEvery } from "../repeat_every.ts";
import { upstreamScope } from "./upstream_scope.ts";
import { type EffectivePolicy, effectivePolicyOf } from "./effective_policy.ts";
import { minuteCounts } from "./minute_counts.ts";
import { tokenRateMessage } from "./token_rate_message.ts";
import { maxTokensMessage } from "./max_tokens_message.ts";
import { promptCorrection } from "./prompt_correction.ts";

import type { Admission, AdmissionRequest } from "./admission.ts";

export type { EffectivePolicy } from "./effective_policy.ts";
export type { Admission, AdmissionRequest } from "./admission.ts";

/** Options of {@linkcode PolicyEngine}. */
export interface PolicyEngineOptions {
  /** The policy in force (a `PolicyFile`, or any holder of a compiled policy). */
  policy: { readonly current: CompiledPolicy };
  /** The KV all instances share; absent: limits are per instance. */
  kv?: Deno.Kv;
  /** Timers the reconciliation runs on. */
  timers: Timers;
  /** The wall clock (windows are UTC minutes, days and months). */
  now: () => Date;
  /** Structured log (failed reconciliations). */
  log?: Log;
  /** How often counters are reconciled through KV, ms. @default 5000 */
  reconcileIntervalMs?: number;
  /** This instance's id in KV. @default a random UUID */
  instanceId?: string;
  /** The policy file, whose rejected edit the admin API reports (`PolicyFile.problem`). */
  file?: { readonly problem: string | undefined };
}

/** `max_tokens` assumed for the escrow when a request has none (the Anthropic API requires one). */
const DEFAULT_MAX_TOKENS = 64_000;
/** `retry-after` when requests in flight are what blocks (they usually end within seconds). */
const IN_FLIGHT_RETRY_SECONDS = 5;

/**
 * Enforces the policy on the hot path: model allowlist, `max_tokens` cap or
 * refusal, requests per minute, requests in flight, and budgets with escrow.
 * Admission reserves a request's worst case (input estimate + `max_tokens`,
 * priced at the model's dearest input rate and its output rate) against every
 * budget that applies and refuses when the reservation does not fit;
 * {@linkcode Admission.settle} releases it and charges the real usage.
 * Everything is decided in memory; KV is read only the first time this
 * instance sees a (user or group, window) and is reconciled in the
 * background every `reconcileIntervalMs` (see README.md for the bound this
 * gives across instances).
 */
export class PolicyEngine implements Disposable {
  readonly #options: PolicyEngineOptions;
  readonly #counters: SharedCounters;
  readonly #interval: number;
  #loop: Disposable | undefined;

  /** @param options Policy, KV, timers, clock. */
  constructor(options: PolicyEngineOptions) {
    this.#options = options;
    this.#interval = options.reconcileIntervalMs ?? 5_000;
    this.#counters = new SharedCounters({
      kv: options.kv,
      instanceId: options.instanceId ?? crypto.randomUUID(),
      now: options.now,
      activeStaleMs: Math.max(3 * this.#interval, 15_000),
    });
  }

  /** The policy in force. */
  get policy(): CompiledPolicy {
    return this.#options.policy.current;
  }

  /**
   * Why the policy file on disk was rejected, while it is (the policy in
   * force is then the last one that validated), else `undefined`.
   */
  get fileProblem(): string | undefined {
    return this.#options.file?.problem;
  }

  /** Prices of the policy's models, by Bedrock id (for costs in the ledger). */
  readonly priceOf: PriceOf = (id) => this.#options.policy.current.priceOf(id);

  /** The models list filter of a user (`GatewayDeps.allowedModels`). */
  allowedModels(subject: PolicySubject): (model: ListedModel) => boolean {
    const policy = this.#options.policy.current;
    const { allowed } = policy.rulesFor(subject).models;
    return (m) => {
      const entry = policy.modelOf(m.modelId);
      return entry !== undefined && allowsModel(allowed, entry);
    };
  }

  /**
   * The model allowlist alone (for token counting, which spends nothing).
   *
   * @param subject The user, roles and groups.
   * @param modelId The Bedrock id the request would invoke.
   * @param requested The model name the client sent, for the message.
   * @returns The catalogue model.
   * @throws {ModelNotAllowedError} 403 naming the model and the rule.
   */
  checkModel(subject: PolicySubject, modelId: string, requested?: string): CatalogueModel {
    const policy = this.#options.policy.current;
    return checkAllowedModel(policy, policy.rulesFor(subject), modelId, requested);
  }

  /**
   * Admits one model request or throws the typed error of the rule it breaks.
   * Awaits KV only for a (scope, window) this instance has not seen yet.
   *
   * @param request The user, model, `max_tokens` and input estimate.
   * @returns The admission, to settle when the request ends.
   * @throws {ModelNotAllowedError} 403: the model is not in the catalogue or not allowed for the user.
   * @throws {MaxTokensOverLimitError} 400: the client's `max_tokens` over the limit and the policy refuses.
   * @throws {RequestOverBudgetError} 400: the worst case alone is over a whole budget, or the
   *   input estimate over a tokens-per-minute limit.
   * @throws {ConcurrencyLimitedError} 429: too many requests in flight.
   * @throws {RateLimitedError} 429: requests or input tokens per minute reached (sliding minute).
   * @throws {BudgetExceededError} 429: the worst case does not fit in a budget.
   */
  async admit(request: AdmissionRequest): Promise<Admission> {
    const policy = this.#options.policy.current;
    const rules = policy.rulesFor(request.subject);
    const model = checkAllowedModel(policy, rules, request.modelId, request.requested);
    let maxTokens = request.maxTokens;
    let capped: number | undefined;
    if (
      rules.maxTokens !== undefined && maxTokens !== undefined && maxTokens > rules.maxTokens.limit
    ) {
      if (rules.maxTokens.mode === "refuse" && request.maxTokensDefaulted !== true) {
        throw new MaxTokensOverLimitError(
          maxTokensMessage(maxTokens, rules.maxTokens, request.requested ?? request.modelId),
        );
      }
      maxTokens = capped = rules.maxTokens.limit;
    }

    const now = this.#options.now();
    const { minute, rate, tokens, budgets, scopes, keys } = counterKeysFor(rules, now);
    const inputWorst = budgets.length === 0 && tokens.length === 0 ? 0 : request.inputTokens();
    const dollars = budgets.some(({ budget }) => budget.unit === "usd");
    const price = escrowPrice(model.price, dollars && (request.oneHourCache?.() ?? false));
    // A max_tokens the client did not send (the model's maximum) is lowered to what the budgets
    // leave, whole here and after what is spent below, rather than refused.
    const defaulted = request.maxTokensDefaulted === true ? maxTokens : undefined;
    if (defaulted !== undefined) {
      const fit = defaultedMaxTokens(
        defaulted,
        budgets.map(({ budget }) => outputRoom(budget, inputWorst, price)),
      );
      if (fit < defaulted) maxTokens = capped = fit;
    }
    let outputWorst = maxTokens ?? rules.maxTokens?.limit ?? DEFAULT_MAX_TOKENS;
    const amountsOf = (output: number) =>
      budgets.map(({ budget }) =>
        budget.unit === "usd" ? worstCaseMicros(inputWorst, output, price) : inputWorst + output
      );
    let amounts = amountsOf(outputWorst);
    // Larger than a whole budget: no wait helps, so refused before any limit that asks to wait.
    for (const { limit } of tokens) {
      if (inputWorst > limit.limit) {
        throw new RequestOverBudgetError(tokenRateMessage(limit, inputWorst));
      }
    }
    const over = requestOverBudget(budgets.map((b) => b.budget), inputWorst, outputWorst, price);
    if (over !== undefined) throw new RequestOverBudgetError(over);
    if (this.#counters.cold(keys, scopes)) await this.#load(keys, scopes);

    // From here on nothing awaits: the checks and the reservations are one step.
    if (defaulted !== undefined) {
      const fit = defaultedMaxTokens(
        outputWorst,
        budgets.map(({ budget, key }) =>
          outputRoom(
            budget,
            inputWorst,
            price,
            this.#counters.settled(key) + this.#counters.reserved(key),
          )
        ),
      );
      if (fit < outputWorst) {
        maxTokens = capped = outputWorst = fit;
        amounts = amountsOf(fit);
      }
    }
    for (const c of rules.concurrency) {
      if (this.#counters.active(c.scope) + 1 > c.limit) {
        throw new ConcurrencyLimitedError(
          `Limit of ${c.limit} requests in flight ${
            c.per === "user" ? "per user" : "for the group"
          } reached (rule: ${c.rule})`,
          IN_FLIGHT_RETRY_SECONDS,
        );
      }
    }
    for (const r of rate) {
      const { limit } = r;
      const counts = minuteCounts(this.#counters, r, minute.startsAt, now);
      if (slidingCount(counts) + 1 > limit.limit) {
        const wait = slidingRetryAfter(counts, limit.limit);
        throw new RateLimitedError(
          `Limit of ${limit.limit} requests per minute ${
            limit.per === "user" ? "per user" : "for the group"
          } reached (rule: ${limit.rule}); retry after ${wait} s`,
          wait,
        );
      }
    }
    for (const t of tokens) {
      const { limit } = t;
      const counts = minuteCounts(this.#counters, t, minute.startsAt, now);
      const used = slidingCount(counts);
      if (used + inputWorst > limit.limit) {
        const wait = slidingRetryAfter(counts, limit.limit, inputWorst);
        throw new RateLimitedError(
          tokenRateMessage(limit, inputWorst, used, wait),
          wait,
        );
      }
    }
    const reservations: { key: CounterKey; amount: number }[] = [];
    for (const [i, { budget, key }] of budgets.entries()) {
      const amount = amounts[i]!;
      const limit = budgetLimitUnits(budget);
      const settled = this.#counters.settled(key);
      if (settled + this.#counters.reserved(key) + amount > limit) {
        const inFlight = settled + amount <= limit;
        const wait = inFlight
          ? IN_FLIGHT_RETRY_SECONDS
          : Math.max(1, Math.ceil((key.endsAt - now.getTime()) / 1000));
        throw new BudgetExceededError(
          budgetMessage(
            budget,
            settled,
            amount,
            inFlight,
            outputRoom(budget, inputWorst, price, settled + this.#counters.reserved(key)),
          ),
          wait,
          inFlight,
        );
      }
      reservations.push({ key, amount });
    }

    for (const { key } of rate) this.#counters.add(key, 1);
    for (const { key } of tokens) this.#counters.add(key, inputWorst);
    for (const { key, amount } of reservations) this.#counters.reserve(key, amount);
    for (const scope of scopes) this.#counters.enter(scope);
    let settled = false;
    const allowed = rules.models.allowed;
    return {
      cappedMaxTokens: capped,
      upstreams: upstreamScope(
        policy.document,
        allowed === "all" ? model.names : model.names.filter((name) => allowed.has(name)),
      ),
      settle: (usage, options) => {
        if (settled) return;
        settled = true;
        for (const scope of scopes) this.#counters.leave(scope);
        for (const { key, amount } of reservations) this.#counters.release(key, amount);
        if (usage === undefined) return;
        this.#charge(budgets, usage, model.price);
        if (tokens.length === 0) return;
        const { excess, credit } = promptCorrection(inputWorst, usage, options);
        const end = this.#options.now();
        // Bedrock counted more: the excess is added in the minute it is known. Less: the surplus
        // goes back to the minute it was counted in, while that minute still counts.
        const ending = excess > 0 ? counterKeysFor(rules, end).tokens : [];
        for (const t of ending) this.#counters.add(t.key, excess);
        if (credit === 0) return;
        for (const t of tokens) {
          if (end.getTime() < t.key.endsAt) this.#counters.add(t.credited, credit);
        }
      },
    };
  }

  /**
   * Charges the budgets of a request that no admission here will settle:
   * one whose gateway died mid-stream, found by the usage ledger's sweep.
   * What it is known to have used goes to the budget windows of when it
   * started, as the user's rules say now.
   *
   * @param subject The user, roles and groups of the request.
   * @param modelId The Bedrock model it called.
   * @param usage What it is known to have used.
   * @param at When it started.
   */
  charge(subject: PolicySubject, modelId: string, usage: TokenUsage, at: Date): void {
    const { budgets } = counterKeysFor(this.#options.policy.current.rulesFor(subject), at);
    this.#charge(budgets, usage, this.priceOf(modelId));
  }

  /** Adds usage to budget counters: tokens, or dollars (nothing for an unpriced model). */
  #charge(
    budgets: readonly { key: CounterKey }[],
    usage: TokenUsage,
    price: ModelPrice | undefined,
  ): void {
    if (budgets.length === 0) return;
    const tokens = usage.inputTokens + usage.outputTokens + usage.cacheReadInputTokens +
      usage.cacheCreationInputTokens;
    const micros = price === undefined ? 0 : Math.ceil(costUsd(usage, price) * 1_000_000);
    for (const { key } of budgets) {
      this.#counters.add(key, key.unit === "usd_micros" ? micros : tokens);
    }
  }

  /**
   * What the policy says about a user and how much of each limit is used, as
   * plain JSON (for the admin API's "effective policy"). Reads counters this
   * instance has not seen from KV first (when KV cannot be read, it reports
   * what this instance knows, as admission decides on it).
   *
   * @param subject The user, roles and groups.
   * @returns The effective rules with current usage (dollars as dollars).
   */
  async describe(subject: PolicySubject): Promise<EffectivePolicy> {
    const rules = this.#options.policy.current.rulesFor(subject);
    const now = this.#options.now();
    const { scopes, keys } = counterKeysFor(rules, now);
    if (this.#counters.cold(keys, scopes)) await this.#load(keys, scopes);
    return effectivePolicyOf(rules, this.#counters, now);
  }

  /** Sends this instance's charges to KV and reads everyone's totals (what the timer runs). */
  reconcile(): Promise<void> {
    return this.#counters.reconcile();
  }

  /** Starts reconciling every `reconcileIntervalMs`. */
  start(): void {
    this.#loop ??= repeatEvery(
      this.#options.timers,
      this.#interval,
      () =>
        this.reconcile().catch((err) =>
          this.#options.log?.({
            level: "warn",
            msg: "policy counters not reconciled",
            error: err instanceof Error ? err.name : String(err),
          })
        ),
    );
  }

  /** Reads counters from KV; when KV is unreachable, logs and goes on with what this instance knows (fail open). */
  async #load(keys: readonly CounterKey[], scopes: readonly string[]): Promise<void> {
    await this.#counters.load(keys, scopes).catch((err) =>
      this.#options.log?.({
        level: "warn",
        msg: "policy counters not read from KV",
        error: err instanceof Error ? err.name : String(err),
      })
    );
  }

  /** Stops the timer (charges not yet reconciled stay in memory: call `reconcile()` first). */
  [Symbol.dispose](): void {
    this.#loop?.[Symbol.dispose]();
    this.#loop = undefined;
  }
}
