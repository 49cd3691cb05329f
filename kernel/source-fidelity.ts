/**
 * What the interrupt instrumentation (kernel/await-gate.ts) inserts into cell code, and how a cell function's
 * source is shown without it: `Function.prototype.toString` returns the source as the user wrote it (after
 * TypeScript's emit). Needs no parser, so the kernel's main thread loads it at no cost.
 */

/** Closes every insertion that needs closing; unique, so {@link originalSource} can remove it by text. */
export const MARK = "/*__trainlab__*/";
export const OPEN = "__trainlab__.gate(";
export const CLOSE = `${MARK})`;
export const TICK = "__trainlab__.tick();";
/** An expression-bodied arrow function's body becomes `(tick(), body)`. */
export const EXPRESSION_OPEN = "(__trainlab__.tick(), ";
/** A loop's single-statement body becomes `{tick(); statement}`. */
export const STATEMENT_OPEN = `{${MARK}${TICK}`;
export const STATEMENT_CLOSE = `${MARK}}`;

/**
 * A function's source as the user wrote it (after TypeScript's emit): every insertion of kernel/await-gate.ts removed.
 * Libraries read functions' source (arquero compiles `d => d.x * 2` from its text), so the instrumentation must not
 * show through `Function.prototype.toString`.
 */
export function originalSource(text: string): string {
  if (!text.includes("__trainlab__")) return text;
  // The marked openings first (they contain TICK, and a function body's own `{` may precede a bare TICK), then the
  // bare tick, then the closings.
  return [STATEMENT_OPEN, EXPRESSION_OPEN, TICK, OPEN, STATEMENT_CLOSE, CLOSE].reduce(
    (t, piece) => t.split(piece).join(""),
    text,
  );
}

let sourceFidelity = false;

/**
 * Makes `Function.prototype.toString` return {@link originalSource} for functions a cell defined, once per process.
 * Functions without the kernel's insertions are untouched (one substring test).
 */
export function installSourceFidelity(): void {
  if (sourceFidelity) return;
  sourceFidelity = true;
  const native = Function.prototype.toString;
  const toString = function (this: unknown): string {
    return originalSource(native.call(this));
  };
  Object.defineProperty(toString, "name", { value: "toString" });
  Object.defineProperty(Function.prototype, "toString", {
    value: toString,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}
