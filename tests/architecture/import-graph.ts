/**
 * Reads the import graph of the repository's own TypeScript source (`lib/`, `kernel/`) with the TypeScript parser:
 * every static `import`, `export ... from`, `import x = require(...)`, dynamic `import(...)` and `require(...)` call,
 * each marked type-only or not, and the folder ("layer node") each file belongs to.
 */
import * as fs from "fs";
import * as path from "path";
import ts from "typescript";

/** The repository root (this file compiles to dist/tests/architecture). */
export const ROOT = path.resolve(__dirname, "..", "..", "..");

/** How a module is referenced. */
export type ImportKind = "import" | "import type" | "export from" | "dynamic import" | "require";

/** One reference from a source file to a module specifier. */
export interface ImportEdge {
  /** The importing file, relative to the root with forward slashes (`lib/viz/bar.ts`). */
  readonly from: string;
  /** The specifier as written (`../evaluate`, `fs`). */
  readonly specifier: string;
  /** The resolved file relative to the root, for relative specifiers that resolve to a `.ts` file; otherwise undefined. */
  readonly to: string | undefined;
  readonly kind: ImportKind;
  /** 1-based line of the reference. */
  readonly line: number;
}

/** Every `.ts` file (not `.d.ts`) under a root-relative folder, sorted, with forward slashes. */
export function sourceFiles(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules" && entry.name !== "build") walk(rel);
      } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(rel);
    }
  };
  walk(folder);
  return out.sort();
}

/** Resolves a relative specifier from a root-relative file to a root-relative `.ts` file, or undefined. */
function resolve(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  for (const candidate of [base, `${base}.ts`, `${base}/index.ts`]) {
    const file = path.join(ROOT, candidate);
    if (candidate.endsWith(".ts") && fs.existsSync(file) && fs.statSync(file).isFile()) return candidate;
  }
  return undefined;
}

/** Whether an import declaration brings in types only (`import type`, or every named binding marked `type`). */
function typeOnlyImport(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (!clause) return false; // `import "m"` runs the module
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const bindings = clause.namedBindings;
  return (
    bindings !== undefined &&
    ts.isNamedImports(bindings) &&
    bindings.elements.length > 0 &&
    bindings.elements.every((e) => e.isTypeOnly)
  );
}

/** Whether an export declaration re-exports types only. */
function typeOnlyExport(node: ts.ExportDeclaration): boolean {
  if (node.isTypeOnly) return true;
  const clause = node.exportClause;
  return (
    clause !== undefined &&
    ts.isNamedExports(clause) &&
    clause.elements.length > 0 &&
    clause.elements.every((e) => e.isTypeOnly)
  );
}

/** Every module reference in one root-relative source file. */
export function importsOf(file: string): ImportEdge[] {
  const text = fs.readFileSync(path.join(ROOT, file), "utf8");
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const edges: ImportEdge[] = [];
  const add = (node: ts.Node, specifier: string, kind: ImportKind): void => {
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    edges.push({ from: file, specifier, to: resolve(file, specifier), kind, line });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node, node.moduleSpecifier.text, typeOnlyImport(node) ? "import type" : "import");
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node, node.moduleSpecifier.text, typeOnlyExport(node) ? "import type" : "export from");
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    ) {
      add(node, node.moduleReference.expression.text, node.isTypeOnly ? "import type" : "require");
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      add(node, node.argument.literal.text, "import type"); // `typeof import("m")` in a type position
    } else if (ts.isCallExpression(node)) {
      const [arg] = node.arguments;
      const literal =
        arg !== undefined && (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg))
          ? arg.text
          : undefined;
      const spec = literal ?? (arg !== undefined ? arg.getText(source) : "");
      if (node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node, spec, "dynamic import");
      else if (ts.isIdentifier(node.expression) && node.expression.text === "require") add(node, spec, "require");
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

/**
 * The layer node a root-relative file belongs to: `lib/<folder>` for files in a folder of lib (subfolders such as
 * `lib/models/nn` and `lib/kernels/native` belong to their folder's node: a model family is part of the models
 * layer, whose index, loader and recommender list it), the file itself for top-level `lib/*.ts` files, and `kernel`
 * for the kernel.
 */
export function nodeOf(file: string): string {
  const parts = file.split("/");
  if (parts[0] === "kernel") return "kernel";
  if (parts[0] !== "lib") return parts[0];
  if (parts.length === 2) return file;
  return `lib/${parts[1]}`;
}

/** The layers declared in ARCHITECTURE.md's ```layers block, lowest first: each line `name: node node ...`. */
export function declaredLayers(): { name: string; nodes: string[] }[] {
  const doc = fs.readFileSync(path.join(ROOT, "ARCHITECTURE.md"), "utf8");
  const block = /```layers\n([\s\S]*?)```/.exec(doc);
  if (!block) throw new Error("ARCHITECTURE.md has no ```layers block.");
  return block[1]
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .map((line) => {
      const [name, rest] = line.split(":");
      return { name: name.trim(), nodes: rest.trim().split(/\s+/) };
    });
}

/** One folder-level edge with the file-level references that make it. */
export interface FolderEdge {
  readonly from: string;
  readonly to: string;
  readonly via: ImportEdge[];
}

/** The folder-level graph of the given file-level references (edges inside one node are dropped). */
export function folderGraph(edges: readonly ImportEdge[]): Map<string, Map<string, ImportEdge[]>> {
  const graph = new Map<string, Map<string, ImportEdge[]>>();
  for (const edge of edges) {
    if (edge.to === undefined) continue;
    const from = nodeOf(edge.from);
    const to = nodeOf(edge.to);
    if (from === to) continue;
    const out = graph.get(from) ?? new Map<string, ImportEdge[]>();
    graph.set(from, out);
    out.set(to, [...(out.get(to) ?? []), edge]);
  }
  return graph;
}

/**
 * The graph's cycles, one per strongly connected component of more than one node, each as a closed path
 * (`a -> b -> a`) found by a breadth-first search inside the component, sorted.
 */
export function cycles(graph: ReadonlyMap<string, ReadonlyMap<string, unknown>>): string[] {
  const nodes = [...new Set([...graph.keys(), ...[...graph.values()].flatMap((m) => [...m.keys()])])].sort();
  const succ = (n: string): string[] => [...(graph.get(n)?.keys() ?? [])].sort();
  // Tarjan's strongly connected components.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const strong = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of succ(v)) {
      if (!index.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const n of nodes) if (!index.has(n)) strong(n);
  return components
    .map((component) => {
      const inside = new Set(component);
      const start = component[0];
      // Shortest path from start back to start inside the component.
      const previous = new Map<string, string>();
      const queue = succ(start).filter((n) => inside.has(n));
      for (const n of queue) previous.set(n, start);
      while (queue.length > 0 && !previous.has(start)) {
        const n = queue.shift()!;
        for (const m of succ(n)) {
          if (!inside.has(m) || previous.has(m)) continue;
          previous.set(m, n);
          queue.push(m);
        }
      }
      const path = [start];
      for (let n = previous.get(start)!; n !== start; n = previous.get(n)!) path.unshift(n);
      path.unshift(start);
      const rest = component.filter((n) => !path.includes(n));
      return path.join(" -> ") + (rest.length > 0 ? ` (same component: ${rest.join(", ")})` : "");
    })
    .sort();
}
