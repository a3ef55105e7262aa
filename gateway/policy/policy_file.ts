import { PolicyFileError } from "../errors.ts";
import type { Log } from "../log.ts";
import type { Timers } from "../timers.ts";
import { type CompiledPolicy, compilePolicy } from "./compile_policy.ts";
import { parsePolicy } from "./parse_policy.ts";
import { policyGeographyWarnings } from "./policy_geography_warnings.ts";
import { repeatEvery } from "../repeat_every.ts";

/** Options of {@linkcode PolicyFile.open}. */
export interface PolicyFileOptions {
  /** Path of the policy file (JSON or YAML). */
  path: string;
  /** Timers the re-read runs on. */
  timers: Timers;
  /** Structured log: reloads and rejected reloads are logged. */
  log: Log;
  /**
   * How often the file is re-read, ms; 0 never re-reads on its own.
   * @default 5000
   */
  intervalMs?: number;
  /** Reads the file. @default Deno.readTextFile */
  readTextFile?: (path: string) => Promise<string>;
  /**
   * The deployment's Bedrock regions: a catalogue entry naming an inference
   * profile Bedrock does not invoke from one of them is warned about once
   * the file is read and at each reload (`policyGeographyWarnings`).
   * @default {[]}
   */
  regions?: readonly string[];
}

/** What {@linkcode PolicyFile.reload} did. */
export type ReloadResult = "unchanged" | "reloaded" | "rejected";

/**
 * The policy file, validated at start-up and re-read every `intervalMs`
 * (on the injected timers) so edits apply without a restart. A change that
 * does not parse or validate is logged (naming the file and key) and
 * ignored: the previous policy stays in force.
 *
 * @example
 * ```ts ignore
 * const file = await PolicyFile.open({ path: "policy.yaml", timers: systemTimers, log });
 * file.start();
 * file.current.rulesFor({ sub: "u1", roles: [], groups: ["eng"] });
 * ```
 */
export class PolicyFile implements Disposable {
  #current: CompiledPolicy;
  #text: string;
  #loop: Disposable | undefined;
  #listeners: ((policy: CompiledPolicy) => void)[] = [];
  #rejections = 0;
  #rejected = false;
  /** Why the last reload was rejected. */
  #problem = "";
  /** Why `#text` was rejected, when it was. */
  #textProblem = "";
  /** The text of the policy in force. */
  #accepted: string;
  readonly #options: PolicyFileOptions;
  readonly #name: string;

  private constructor(options: PolicyFileOptions, text: string, policy: CompiledPolicy) {
    this.#options = options;
    this.#name = options.path.split(/[\\/]/).at(-1) ?? options.path;
    this.#text = text;
    this.#accepted = text;
    this.#current = policy;
  }

  /**
   * Reads and validates the policy file.
   *
   * @param options Path, timers, log, interval.
   * @returns The loaded file (not yet re-reading: call {@linkcode PolicyFile.start}).
   * @throws {PolicyFileError} When the file cannot be read (the message names `CCGATE_POLICY`,
   * the path and why) or is invalid (the message names the file and the key).
   */
  static async open(options: PolicyFileOptions): Promise<PolicyFile> {
    const name = options.path.split(/[\\/]/).at(-1) ?? options.path;
    const read = options.readTextFile ?? Deno.readTextFile;
    let text: string;
    try {
      text = await read(options.path);
    } catch (err) {
      // A setting that names no readable file: the setting and the path as given, like the others.
      throw new PolicyFileError(
        `Invalid setting CCGATE_POLICY: cannot read "${options.path}": ${_readProblem(err)}`,
        { cause: err },
      );
    }
    const file = new PolicyFile(options, text, compilePolicy(parsePolicy(text, name)));
    file.#warnGeography();
    return file;
  }

  /** The policy in force. */
  get current(): CompiledPolicy {
    return this.#current;
  }

  /** Calls `listener` with every newly loaded policy. */
  onReload(listener: (policy: CompiledPolicy) => void): void {
    this.#listeners.push(listener);
  }

  /**
   * Reloads rejected so far (the file unreadable, or a changed file invalid;
   * an invalid file is counted once, not at every re-read):
   * `ccgate_policy_reload_failures_total`.
   */
  get rejections(): number {
    return this.#rejections;
  }

  /**
   * Whether the last reload was rejected, or found the rejected file
   * unchanged: the file on disk would stop the next start-up
   * (`ccgate_policy_file_rejected`).
   */
  get rejected(): boolean {
    return this.#rejected;
  }

  /**
   * While {@linkcode PolicyFile.rejected}: why the file on disk was rejected
   * (the message naming the file and key, or why it cannot be read), else
   * `undefined`. The admin API's effective policy shows it.
   */
  get problem(): string | undefined {
    return this.#rejected ? this.#problem : undefined;
  }

  /**
   * Re-reads the file now: a changed, valid file replaces the policy; an
   * invalid one is logged and ignored.
   *
   * @returns What happened.
   */
  async reload(): Promise<ReloadResult> {
    const read = this.#options.readTextFile ?? Deno.readTextFile;
    let text: string;
    try {
      text = await read(this.#options.path);
    } catch (err) {
      this.#problem = `Cannot read "${this.#options.path}": ${_readProblem(err)}`;
      this.#options.log({
        level: "error",
        msg: "policy reload rejected; keeping the previous policy",
        error: this.#problem,
      });
      this.#rejections++;
      this.#rejected = true;
      return "rejected";
    }
    if (text === this.#text) {
      this.#rejected = text !== this.#accepted; // readable again, or still the rejected text
      this.#problem = this.#textProblem;
      return "unchanged";
    }
    try {
      this.#current = compilePolicy(parsePolicy(text, this.#name));
    } catch (err) {
      this.#text = text;
      this.#problem = this.#textProblem = err instanceof Error ? err.message : String(err);
      this.#options.log({
        level: "error",
        msg: "policy reload rejected; keeping the previous policy",
        error: this.#problem,
      });
      this.#rejections++;
      this.#rejected = true;
      return "rejected";
    }
    this.#rejected = false;
    this.#text = text;
    this.#accepted = text;
    this.#options.log({ level: "info", msg: "policy reloaded", file: this.#name });
    this.#warnGeography();
    for (const listener of this.#listeners) listener(this.#current);
    return "reloaded";
  }

  #warnGeography(): void {
    for (
      const msg of policyGeographyWarnings(this.#current.document, this.#options.regions ?? [])
    ) {
      this.#options.log({ level: "warn", msg });
    }
  }

  /** Starts re-reading the file every `intervalMs`. */
  start(): void {
    const interval = this.#options.intervalMs ?? 5_000;
    if (this.#loop !== undefined || interval <= 0) return;
    this.#loop = repeatEvery(this.#options.timers, interval, () => this.reload());
  }

  /** Stops re-reading. */
  [Symbol.dispose](): void {
    this.#loop?.[Symbol.dispose]();
    this.#loop = undefined;
  }
}

/** Why the file could not be read, in words: `no such file`, `permission denied`, .... */
function _readProblem(err: unknown): string {
  if (err instanceof Deno.errors.NotFound) return "no such file";
  if (err instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (err instanceof Deno.errors.IsADirectory) return "it is a folder, not a file";
  if (err instanceof Deno.errors.NotADirectory) return "a part of the path is a file, not a folder";
  const message = err instanceof Error ? err.message : String(err);
  // Deno's message repeats the path after the OS error: `... (os error 5): readfile '/p'`.
  return message.split("\n")[0]!.replace(/ \(os error \d+\).*$/, "") || "unreadable";
}
