import { errors } from "jose";

/**
 * A cause safe to log: jose's claim errors carry the token's claims
 * (`payload`: e-mail, session id, roles) and a nested cause repeating them;
 * this keeps a jose error's name, code, message and stack only. Other errors
 * are kept as they are.
 */
export function _safeCause(err: unknown): unknown {
  if (!(err instanceof errors.JOSEError)) return err;
  const cause = new Error(err.message);
  cause.name = err.name;
  cause.stack = err.stack;
  Object.defineProperty(cause, "code", { value: err.code, enumerable: true });
  return cause;
}
