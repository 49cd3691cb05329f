/**
 * The documentation the kernel's quick info (Shift-Tab, `name?`) shows is what an editor shows. The kernel's checker
 * parses library declaration files without their JSDoc and reads a name's documentation back when asked
 * (kernel/library-docs.ts); TypeScript's own language service, which parses everything, is the oracle. Checked for
 * every export of trainlab and every member of its exported classes, for tfjs's top-level API and `tf.layers`, and for
 * Node's `fs`: the documentation and tags must be the same text.
 */
import { strict as assert } from "assert";
import * as path from "path";
import * as ts from "typescript";
import { Converter } from "../../kernel/converter";

const projectRoot = path.resolve(__dirname, "..", "..", "..");
/** A notebook folder inside the project (imports resolve from its node_modules, as in the tutorials). */
const cwd = path.join(projectRoot, "notebooks");
const IMPORTS = 'import * as trainlab from "trainlab";\nimport * as fs from "fs";\n';

/** TypeScript's language service on one file, with the converter's compiler options. */
class Oracle {
  private text = "";
  private version = 0;
  private readonly file = path.join(cwd, "__oracle__.ts");
  private readonly service: ts.LanguageService;

  constructor() {
    const options: ts.CompilerOptions = {
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      esModuleInterop: true,
      target: ts.ScriptTarget.ES2022,
      lib: ["lib.es2023.d.ts"],
      types: ["node"],
      skipLibCheck: true,
      ignoreDeprecations: "6.0",
    } as ts.CompilerOptions;
    const host: ts.LanguageServiceHost = {
      getCompilationSettings: () => options,
      getCurrentDirectory: () => cwd,
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      getScriptFileNames: () => [this.file],
      getScriptVersion: (f) => (f === this.file ? String(this.version) : "0"),
      getScriptSnapshot: (f) => {
        const text = f === this.file ? this.text : ts.sys.readFile(f);
        return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
      },
      fileExists: (f) => f === this.file || ts.sys.fileExists(f),
      readFile: (f) => (f === this.file ? this.text : ts.sys.readFile(f)),
      directoryExists: ts.sys.directoryExists,
      getDirectories: ts.sys.getDirectories,
      readDirectory: ts.sys.readDirectory,
      realpath: ts.sys.realpath,
    };
    this.service = ts.createLanguageService(host);
  }

  /** The documentation and tags at each position of `text`, as the kernel prints them (empty when there are none). */
  docsAt(text: string, positions: readonly number[]): string[] {
    this.text = IMPORTS + text;
    this.version++;
    return positions.map((position) => {
      const info = this.service.getQuickInfoAtPosition(this.file, IMPORTS.length + position);
      const docs = (info?.documentation ?? []).map((d) => d.text).join("");
      const tags = (info?.tags ?? []).map((t) => `@${t.name} ${(t.text ?? []).map((x) => x.text).join("")}`);
      return [docs, tags.join("\n")].filter((x) => x.length > 0).join("\n\n");
    });
  }

  /** The checker of the oracle's program, on `probe`. */
  checkerFor(probe: string): { checker: ts.TypeChecker; sf: ts.SourceFile } {
    this.text = IMPORTS + probe;
    this.version++;
    const program = this.service.getProgram() as ts.Program;
    return { checker: program.getTypeChecker(), sf: program.getSourceFile(this.file) as ts.SourceFile };
  }
}

/** The names a namespace import exports, and which of them are classes, read with the oracle's checker. */
function exportsOf(oracle: Oracle, namespace: string): { names: string[]; classes: string[] } {
  const { checker, sf } = oracle.checkerFor(`${namespace};`);
  const statement = sf.statements[sf.statements.length - 1] as ts.ExpressionStatement;
  const symbol = checker.getSymbolAtLocation(statement.expression) as ts.Symbol;
  const module = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  const exported = checker.getExportsOfModule(module);
  const resolve = (s: ts.Symbol): ts.Symbol => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);
  const names = exported.filter((s) => resolve(s).flags & ts.SymbolFlags.Value).map((s) => s.name);
  const classes = exported.filter((s) => resolve(s).flags & ts.SymbolFlags.Class).map((s) => s.name);
  return { names: names.sort(), classes: classes.sort() };
}

/** The instance members of an exported class, read with the oracle's checker. */
function membersOf(oracle: Oracle, className: string): string[] {
  const { checker, sf } = oracle.checkerFor(`declare const probe: trainlab.${className};\nprobe;`);
  const statement = sf.statements[sf.statements.length - 1] as ts.ExpressionStatement;
  const type = checker.getTypeAtLocation(statement.expression);
  return type
    .getProperties()
    .map((p) => p.name)
    .filter((n) => /^[A-Za-z_$][\w$]*$/.test(n))
    .sort();
}

describe("kernel: quick info shows the documentation an editor shows (TypeScript's language service)", function () {
  this.timeout(600_000);
  let converter: Converter;
  let prevDecl: string;
  let oracle: Oracle;
  /**
   * Compares the kernel's documentation (the text after its signature) with the editor's for each probe, a line each
   * of one cell after `declarations`; returns how many had documentation.
   */
  const compare = (probes: string[], declarations = ""): number => {
    let text = declarations;
    const positions: number[] = [];
    for (const probe of probes) {
      text += probe;
      positions.push(text.length);
      text += ";\n";
    }
    const expected = oracle.docsAt(text, positions);
    const kernel = converter.inspectMany(prevDecl, text, positions).map((info) => {
      const cut = info ? info.text.indexOf("\n\n") : -1;
      return info && cut >= 0 ? info.text.slice(cut + 2) : "";
    });
    const wrong = probes
      .map((probe, i) => ({ probe, kernel: kernel[i], editor: expected[i] }))
      .filter((d) => d.kernel !== d.editor)
      .map((d) => `${d.probe}:\n  kernel: ${JSON.stringify(d.kernel)}\n  editor: ${JSON.stringify(d.editor)}`);
    assert.deepEqual(wrong, [], `${wrong.length} of ${probes.length} differ:\n${wrong.slice(0, 5).join("\n")}`);
    return expected.filter((e) => e.length > 0).length;
  };

  before(() => {
    converter = new Converter(cwd, projectRoot);
    const converted = converter.convert("", IMPORTS);
    assert.deepEqual(converted.diagnostics, []);
    prevDecl = converted.declarations;
    oracle = new Oracle();
  });

  it("for every export of trainlab", () => {
    const { names } = exportsOf(oracle, "trainlab");
    assert.ok(names.length > 100, `only ${names.length} exports found`);
    const documented = compare(names.map((n) => `trainlab.${n}`));
    assert.ok(documented > names.length / 2, `only ${documented} of ${names.length} exports have documentation`);
  });

  it("for every member of trainlab's exported classes, inherited documentation included", () => {
    const { classes } = exportsOf(oracle, "trainlab");
    const declarations = classes.map((c) => `declare const probe_${c}: trainlab.${c};\n`).join("");
    const probes = classes.flatMap((c) => membersOf(oracle, c).map((m) => `probe_${c}.${m}`));
    assert.ok(probes.length > 200, `only ${probes.length} members found`);
    const documented = compare(probes, declarations);
    assert.ok(documented > probes.length / 2, `only ${documented} of ${probes.length} members have documentation`);
  });

  it("for tfjs's top-level API and tf.layers, and Node's fs", () => {
    const tf = exportsOf(oracle, "trainlab.tf").names;
    const layers = exportsOf(oracle, "trainlab.tf.layers").names;
    const nodeFs = exportsOf(oracle, "fs").names;
    const documented = compare([
      ...tf.map((n) => `trainlab.tf.${n}`),
      ...layers.map((n) => `trainlab.tf.layers.${n}`),
      ...nodeFs.map((n) => `fs.${n}`),
    ]);
    assert.ok(documented > 200, `only ${documented} documented names`);
  });
});
