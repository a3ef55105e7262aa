import { type Span, SpanStatusCode, trace } from "@opentelemetry/api";
import type { MiddlewareHandler } from "hono";

const tracer = trace.getTracer("ccgate-gateway");

/**
 * Runs a middleware inside an OpenTelemetry span named `name` (e.g.
 * `verify`, `policy`): with Deno's built-in OpenTelemetry (`OTEL_DENO=true`)
 * the span is a child of the request's HTTP span; without it the API is a
 * no-op. Only the time spent before `next()` is inside the span. A thrown
 * error marks the span as failed with the error's name (never its message,
 * which could hold user input).
 *
 * @param name Span name.
 * @param middleware The middleware.
 * @returns The traced middleware.
 *
 * @example
 * ```ts
 * import { traced } from "./traced.ts";
 * const mw = traced("verify", async (_c, next) => await next());
 * console.assert(typeof mw === "function");
 * ```
 */
export function traced(name: string, middleware: MiddlewareHandler): MiddlewareHandler {
  return async function tracedMiddleware(c, next) {
    const span = tracer.startSpan(name);
    let ended = false;
    const end = () => {
      if (!ended) span.end();
      ended = true;
    };
    try {
      return await middleware(c, async () => {
        end();
        await next();
      });
    } catch (err) {
      _fail(span, err);
      throw err;
    } finally {
      end();
    }
  };
}

/**
 * Runs `work` inside an OpenTelemetry span named `name` (e.g. `policy`): a
 * child of the active span with Deno's built-in OpenTelemetry, a no-op
 * without it. A rejection marks the span as failed with the error's name.
 *
 * @param name Span name.
 * @param work The work.
 * @returns What `work` returns.
 *
 * @example
 * ```ts
 * import { inSpan } from "./traced.ts";
 * console.assert(await inSpan("policy", () => Promise.resolve(1)) === 1);
 * ```
 */
export async function inSpan<T>(name: string, work: () => Promise<T>): Promise<T> {
  const span = tracer.startSpan(name);
  try {
    return await work();
  } catch (err) {
    _fail(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/** Marks a span failed with the error's name (never its message, which could hold user input). */
function _fail(span: Span, err: unknown): void {
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: err instanceof Error ? err.name : "error",
  });
}
