/**
 * Rewrites every `await x` of a cell's emitted JavaScript into `await __trainlab__.gate(x)`, so an
 * interrupted cell's code never resumes (see cell-tasks.ts). Uses the TypeScript parser on the emitted
 * JavaScript; columns shift on the lines it touches, which {@link Insertions} records for stack mapping.
 */
import * as ts from "typescript";
import type { Insertions } from "./cell-tasks";

const OPEN = "__trainlab__.gate(";
const CLOSE = ")";

/** The gated JavaScript and where it inserted text (1-based line -> insertions in original columns, in order). */
export function gateAwaits(js: string): { js: string; insertions: Insertions } {
  const file = ts.createSourceFile("cell.js", js, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const points: Array<{ pos: number; text: string }> = [];
  const visit = (node: ts.Node): void => {
    if (ts.isAwaitExpression(node)) {
      points.push({ pos: node.expression.getStart(file), text: OPEN }, { pos: node.expression.getEnd(), text: CLOSE });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  const insertions: Insertions = new Map();
  if (points.length === 0) return { js, insertions };
  // Stable by position: a closing paren and a later opening at the same spot keep their visiting order.
  const ordered = points.map((p, i) => ({ ...p, i })).sort((a, b) => a.pos - b.pos || a.i - b.i);
  let out = "";
  let last = 0;
  for (const p of ordered) {
    out += js.slice(last, p.pos) + p.text;
    last = p.pos;
    const { line, character } = file.getLineAndCharacterOfPosition(p.pos);
    const list = insertions.get(line + 1) ?? [];
    list.push({ column: character, length: p.text.length });
    insertions.set(line + 1, list);
  }
  out += js.slice(last);
  return { js: out, insertions };
}
