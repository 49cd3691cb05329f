/**
 * The house style, enforced: ESLint (the recommended JavaScript and TypeScript rules, eslint.config.mjs) reports
 * nothing, and every hand-written source file is formatted as Prettier formats it (.prettierrc.json). A warning is
 * not a lesser error here: `--max-warnings 0`. Fix with `npm run lint -- --fix` and `npm run format`.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { projectRoot } from "../../lib/report/environment";

const root = projectRoot();

/** Runs a tool from the project's node_modules and returns its exit status and output. */
function runTool(script: string, args: string[]): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [path.join(root, "node_modules", script), ...args], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: result.status, output: `${result.stdout ?? ""}${result.stderr ?? ""}`.trim() };
}

describe("lint: the source follows the house style", function () {
  it("ESLint reports no error and no warning over the whole source", () => {
    const { status, output } = runTool("eslint/bin/eslint.js", ["--max-warnings", "0", "."]);
    assert.equal(
      status,
      0,
      `ESLint found problems (fix them, or run \`npm run lint -- --fix\`):\n${output.slice(0, 8000)}`,
    );
  });

  it("Prettier finds every source file already formatted", () => {
    const { status, output } = runTool("prettier/bin/prettier.cjs", ["--check", "."]);
    assert.equal(status, 0, `Prettier would reformat these files (run \`npm run format\`):\n${output.slice(0, 8000)}`);
  });
});
