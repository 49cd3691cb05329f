/**
 * Turns cell values into Jupyter MIME bundles through the one display protocol:
 * `value[Symbol.for("Jupyter.display")]()` returns a bundle (as in Deno), otherwise a `text/plain`
 * fallback from util.inspect. Errors render as a traceback. The kernel knows nothing of ML: rich
 * renderers for tables, tensors and charts live in the library and arrive through the protocol.
 */
import * as util from "util";

/** The method key of the display protocol. */
export const DISPLAY_SYMBOL = Symbol.for("Jupyter.display");

/** A MIME bundle plus its metadata, ready for display_data / execute_result. */
export interface RenderedBundle {
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

/** Escapes text for HTML (the kernel's one escaper; lib has its own in lib/display, as the kernel imports no lib). */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );
}

/** The `text/plain` form of any value, as the Node REPL prints it (bounded in size). */
export function plainText(value: unknown): string {
  return util.inspect(value, {
    depth: 4,
    maxArrayLength: 100,
    maxStringLength: 20000,
    breakLength: 100,
    colors: false,
  });
}

/** Makes a bundle JSON-safe: strings stay, JSON MIME types keep objects, other values become strings. */
export function normalizeBundle(bundle: Record<string, unknown>, fallback: () => string): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const [mime, v] of Object.entries(bundle)) {
    if (v === undefined) continue;
    if (/json$/.test(mime)) data[mime] = JSON.parse(JSON.stringify(v));
    else if (typeof v === "string") data[mime] = v;
    else if (v instanceof Uint8Array) data[mime] = Buffer.from(v).toString("base64");
    else data[mime] = String(v);
  }
  if (typeof data["text/plain"] !== "string") data["text/plain"] = fallback();
  return data;
}

/** A string for anything, even a value whose conversion throws (a Proxy, a throwing getter or toString). */
export function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    try {
      return util.inspect(value, { depth: 1, showProxy: true, getters: false });
    } catch {
      try {
        return Object.prototype.toString.call(value);
      } catch {
        return `[${typeof value}]`;
      }
    }
  }
}

/**
 * Renders a value: its display method's bundle, an error view, or text. Never throws: a value that
 * cannot be shown (a hostile Proxy, a display method behind a throwing getter) renders as a text
 * saying so.
 * @param describeError maps an Error's stack to the cells' own lines.
 */
export function renderValue(
  value: unknown,
  describeError: (err: unknown) => { ename: string; evalue: string; traceback: string[] },
): RenderedBundle {
  try {
    return renderUnguarded(value, describeError);
  } catch (err) {
    let text: string;
    try {
      text = plainText(value);
    } catch {
      try {
        text = util.inspect(value, { depth: 0, showProxy: true });
      } catch {
        text = `[a ${typeof value} that cannot be shown]`;
      }
    }
    let why: string;
    try {
      const e = describeError(err);
      why = `${e.ename}: ${e.evalue}`;
    } catch {
      why = safeString(err);
    }
    return { data: { "text/plain": `${text}\n\n(showing it failed: ${why})` }, metadata: {} };
  }
}

function renderUnguarded(
  value: unknown,
  describeError: (err: unknown) => { ename: string; evalue: string; traceback: string[] },
): RenderedBundle {
  const method =
    typeof value === "object" || typeof value === "function"
      ? (value as Record<symbol, unknown> | null)?.[DISPLAY_SYMBOL]
      : undefined;
  if (typeof method === "function") {
    try {
      const bundle = method.call(value) as Record<string, unknown> & { metadata?: Record<string, unknown> };
      if (bundle && typeof bundle === "object") {
        return { data: normalizeBundle(bundle, () => plainText(value)), metadata: {} };
      }
    } catch (err) {
      const e = describeError(err);
      return {
        data: { "text/plain": `${plainText(value)}\n\n(its display method failed: ${e.ename}: ${e.evalue})` },
        metadata: {},
      };
    }
  }
  if (value instanceof Error) {
    const e = describeError(value);
    const text = e.traceback.join("\n");
    return {
      data: {
        "text/plain": text,
        "text/html": `<pre class="trainlab-error" style="color:#b22222;background:#fff5f5;padding:6px;border-left:3px solid #b22222;white-space:pre-wrap">${escapeHtml(text)}</pre>`,
      },
      metadata: {},
    };
  }
  return { data: { "text/plain": plainText(value) }, metadata: {} };
}
