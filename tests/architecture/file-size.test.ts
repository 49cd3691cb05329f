/**
 * Files that hold one concept (issue 17): no hand-written source file (TypeScript, JavaScript, C++, Python, as git
 * tracks them) is over 500 lines, and each opens with a comment that says what it holds. Generated bundles
 * (tests/browser/jupyterlab/build) are not hand-written.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../../lib/report/environment";

const root = projectRoot();
const MAX_LINES = 500;

/** The hand-written source files git tracks, relative to the project root. */
function sourceFiles(): string[] {
  const listed = execFileSync("git", ["ls-files", "*.ts", "*.js", "*.mjs", "*.cc", "*.h", "*.py"], {
    cwd: root,
    encoding: "utf8",
  });
  return listed
    .split("\n")
    .filter((f) => f && !f.startsWith("tests/browser/jupyterlab/build/") && fs.existsSync(path.join(root, f)));
}

/** Whether a file's first non-blank line (after a shebang) opens a comment or a Python docstring. */
function opensWithComment(text: string): boolean {
  const first = text.split("\n").find((l) => l.trim() !== "" && !l.startsWith("#!")) ?? "";
  return /^\s*(\/\*|\/\/|#|""")/.test(first);
}

describe("files hold one concept (issue 17)", () => {
  const files = sourceFiles();

  it("git tracks the source (the check has files to look at)", () => {
    assert.ok(files.length > 100, `found ${files.length} source files`);
  });

  it(`no hand-written source file is over ${MAX_LINES} lines`, () => {
    const long = files
      .map((f) => ({ f, lines: fs.readFileSync(path.join(root, f), "utf8").replace(/\n$/, "").split("\n").length }))
      .filter(({ lines }) => lines > MAX_LINES)
      .map(({ f, lines }) => `${f} (${lines})`);
    assert.deepEqual(long, [], `split these into one-concept files: ${long.join(", ")}`);
  });

  it("every source file opens with a comment saying what it holds", () => {
    const bare = files.filter((f) => !opensWithComment(fs.readFileSync(path.join(root, f), "utf8")));
    assert.deepEqual(bare, [], `add an opening comment to: ${bare.join(", ")}`);
  });
});
