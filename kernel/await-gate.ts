/**
 * Rewrites every `await x` of a cell's emitted JavaScript into `await __trainlab__.gate(x)`, so an
 * interrupted cell's code never resumes (see cell-tasks.ts), and starts every loop body and function with
 * `__trainlab__.tick();`, which throws `Interrupted` once an interrupt is requested (a busy loop that
 * runs after an `await` or in a callback is out of SIGINT's reach). Uses the TypeScript parser on the emitted
 * JavaScript; columns shift on the lines it touches, which {@link Insertions} records for stack mapping. Runs in the
 * type checker's thread (kernel/checker-worker.ts), which has the parser loaded already: the main thread never loads it.
 */
import * as ts from "typescript";
import type { Insertions } from "./cell-tasks";
import { CLOSE, EXPRESSION_OPEN, OPEN, STATEMENT_CLOSE, STATEMENT_OPEN, TICK } from "./source-fidelity";

/** Every await, loop, function, method and accessor in JavaScript contains one of these. */
const MAY_NEED_GATE =
  /\bawait\b|\bfor\b|\bwhile\b|\bdo\b|=>|\bfunction\b|\bclass\b|\)\s*(?:\/\*[^]*?\*\/\s*|\/\/[^\n]*\n\s*)*\{/;

/** The gated JavaScript and where it inserted text (1-based line -> insertions in original columns, in order). */
export function gateAwaits(js: string): { js: string; insertions: Insertions } {
  // Most one-line cells have nothing to rewrite: skip the parse (a conservative test, any of these may need it).
  if (!MAY_NEED_GATE.test(js)) return { js, insertions: new Map() };
  const file = ts.createSourceFile("cell.js", js, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const points: Array<{ pos: number; text: string }> = [];
  const visit = (node: ts.Node): void => {
    if (ts.isAwaitExpression(node)) {
      points.push({ pos: node.expression.getStart(file), text: OPEN }, { pos: node.expression.getEnd(), text: CLOSE });
    } else if (ts.isFunctionLike(node) && "body" in node && node.body) {
      // Every function of the cell starts with a tick too: recursion and promise chains (`.then(spin)`) are loops.
      const body = node.body as ts.Node;
      if (ts.isBlock(body)) points.push({ pos: body.getStart(file) + 1, text: TICK });
      else points.push({ pos: body.getStart(file), text: EXPRESSION_OPEN }, { pos: body.getEnd(), text: CLOSE });
    } else if (ts.isIterationStatement(node, false)) {
      const body = node.statement;
      if (ts.isBlock(body)) points.push({ pos: body.getStart(file) + 1, text: TICK });
      else
        points.push({ pos: body.getStart(file), text: STATEMENT_OPEN }, { pos: body.getEnd(), text: STATEMENT_CLOSE });
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
