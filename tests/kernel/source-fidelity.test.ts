/**
 * The kernel instruments cell code so interrupts reach loops, functions and awaits (kernel/await-gate.ts), but a
 * function keeps the source its user wrote: libraries that compile functions from their text, such as arquero's
 * table expressions (`derive({ y: (d) => d.x * 2 })`), must work in cells exactly as in a script.
 */
import { strict as assert } from "assert";
import { withKernel } from "./client";

describe("kernel: instrumented cells keep their functions' source", function () {
  this.timeout(180_000);
  const kernel = withKernel();

  it("arquero compiles arrow and block-bodied table expressions written in a cell", async () => {
    await kernel.value('import * as aq from "arquero";');
    const r = await kernel.value(
      'const t = aq.table({ x: [1, 2, 3], s: ["a", ".", "b"] })\n' +
        '  .derive({ y: (d: any) => d.x * 2, s: (d: any) => (d.s === "." ? null : d.s) })\n' +
        "  .filter((d: any) => { return d.x > 1; });\n" +
        'JSON.stringify([t.array("y"), t.array("s")])',
    );
    assert.equal(r, "'[[4,6],[null,\"b\"]]'");
  });

  it("toString shows what the user wrote, with no trace of the interrupt checks", async () => {
    const source = await kernel.value(
      "const twice = (v: number) => v * 2;\nfunction loop(n: number) { let s = 0; for (let i = 0; i < n; i++) s += i; return s; }\ntwice.toString() + ' | ' + loop.toString()",
    );
    assert.ok(source && !source.includes("__trainlab__"), String(source));
    // (TypeScript's emit re-indents the loop body; the text is otherwise the cell's.)
    assert.match(
      String(source),
      /^'\(v\) => v \* 2 \| function loop\(n\) \{ let s = 0; for \(let i = 0; i < n; i\+\+\)\\n\s+s \+= i; return s; \}'$/,
    );
  });
});
