/** An Entra-shaped OAuth error: `error`, `error_description` with `AADSTS` code, `error_codes`. */
export class EntraOAuthError extends Error {
  /** OAuth `error`. */
  readonly error: string;
  /** AADSTS numbers, when Entra documents one. */
  readonly errorCodes: number[];
  /** HTTP status. */
  readonly status: number;

  /**
   * @param error OAuth error value.
   * @param description Human text (without the AADSTS prefix).
   * @param errorCodes AADSTS numbers.
   * @param status HTTP status.
   */
  constructor(error: string, description: string, errorCodes: number[] = [], status = 400) {
    super(description);
    this.name = "EntraOAuthError";
    this.error = error;
    this.errorCodes = errorCodes;
    this.status = status;
  }

  /** The response body, as Entra's token endpoint writes it. */
  body(now: Date): Record<string, unknown> {
    const traceId = crypto.randomUUID();
    const correlationId = crypto.randomUUID();
    const stamp = now.toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
    const prefix = this.errorCodes.length > 0 ? `AADSTS${this.errorCodes[0]}: ` : "";
    return {
      error: this.error,
      error_description:
        `${prefix}${this.message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${stamp}`,
      error_codes: this.errorCodes,
      timestamp: stamp,
      trace_id: traceId,
      correlation_id: correlationId,
    };
  }
}
