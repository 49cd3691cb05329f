/** Turning a parsed dictionary column into its final form: dense codes after skipped rows, booleans, dates. */
import { Category, DictColumn } from "../typed";

/** Drops dictionary entries no row uses (from skipped rows) and keeps codes dense. */
export function compactDictionary(
  codes: Int32Array,
  dictionary: Category[],
): { codes: Int32Array; dictionary: Category[] } {
  const used = new Uint8Array(dictionary.length);
  for (let i = 0; i < codes.length; i++) if (codes[i] >= 0) used[codes[i]] = 1;
  const remap = new Int32Array(dictionary.length);
  const kept: Category[] = [];
  dictionary.forEach((v, k) => {
    if (used[k]) {
      remap[k] = kept.length;
      kept.push(v);
    } else remap[k] = -1;
  });
  if (kept.length === dictionary.length) return { codes, dictionary };
  const out = new Int32Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = codes[i] < 0 ? -1 : remap[codes[i]];
  return { codes: out, dictionary: kept };
}

const TRUE_TEXT = new Set(["true", "True", "TRUE", "1", "yes", "Yes", "YES", "t", "T", "y", "Y"]);
const FALSE_TEXT = new Set(["false", "False", "FALSE", "0", "no", "No", "NO", "f", "F", "n", "N"]);

/** A declared boolean column (true/false, 1/0, yes/no...). @throws Error naming the file, column and row of another value. */
export function toBooleans(col: DictColumn, name: string, file: string): (boolean | null)[] {
  const map = col.dictionary.map((v) => {
    const t = String(v);
    if (TRUE_TEXT.has(t)) return true;
    if (FALSE_TEXT.has(t)) return false;
    const row = col.codes.indexOf(col.dictionary.indexOf(v));
    throw new Error(
      `${file}: column "${name}" is declared boolean, but data row ${row + 1} holds ${JSON.stringify(t)}. Use true/false, 1/0 or yes/no.`,
    );
  });
  return Array.from(col.codes, (c) => (c < 0 ? null : map[c]));
}

/** A declared date column (ISO 8601 or anything Date parses). @throws Error naming the file, column and row of a non-date. */
export function toDates(col: DictColumn, name: string, file: string): (Date | null)[] {
  const map = col.dictionary.map((v) => {
    const t = String(v);
    const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(t) ? `${t}T00:00:00Z` : t);
    if (Number.isNaN(d.getTime())) {
      const row = col.codes.indexOf(col.dictionary.indexOf(v));
      throw new Error(
        `${file}: column "${name}" is declared a date, but data row ${row + 1} holds ${JSON.stringify(t)}, which is not a date (use ISO 8601, e.g. 2024-01-31).`,
      );
    }
    return d;
  });
  return Array.from(col.codes, (c) => (c < 0 ? null : map[c]));
}
