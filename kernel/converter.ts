/**
 * Turns one notebook cell of TypeScript into CommonJS that the executor runs, type-checking it
 * against the declarations of all previous cells, with the project's own TypeScript (`typescript` in
 * package.json, the compiler that also builds trainlab). Built on tslab's approach: the cell is a module
 * whose SourceFile's parent is a declaration file `__prev__.d.ts` holding what earlier cells declared,
 * so names resolve across cells.
 *
 * Differences from tslab's converter, for speed and accuracy:
 * - one Program per cell (tslab builds two): top-level names are collected syntactically;
 * - a plain `createProgram` with the previous program as `oldProgram` and a SourceFile cache, so
 *   library declaration files are parsed and bound once per kernel, never re-read;
 * - CommonJS is emitted directly with a source map, so runtime errors map to the cell's own lines;
 * - extra globals for cells (`display`, `prompt`, `clearOutput`) are declared in a virtual file.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { CELL_CONTEXT } from "./checker";
import { gateAwaits } from "./await-gate";
import type { Insertions } from "./cell-tasks";

/** One compiler message, with 1-based line/column positions in the cell (or in `fileName`). */
export interface CellDiagnostic {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
  code: number;
  /** Set when the message is about another file (e.g. an imported local .ts module), relative to the working directory. */
  fileName?: string;
}

/** A JS module emitted for a local .ts/.js file that the cell imports. */
export interface SideOutput {
  path: string;
  js: string;
}

/** The result of converting a cell. */
export interface Conversion {
  diagnostics: CellDiagnostic[];
  /** CommonJS code of the cell, with the interrupt checks of kernel/await-gate.ts (absent when there are errors). */
  js?: string;
  /** Where the interrupt checks inserted text into `js`, for mapping stack columns back. */
  insertions?: Insertions;
  /** The source map of `js` (JSON text). */
  sourceMap?: string;
  /** Declarations of this and all previous cells, to pass as `prevDecl` for the next cell. */
  declarations: string;
  hasTopLevelAwait: boolean;
  sideOutputs: SideOutput[];
  /**
   * The modules the cell's import declarations load when it runs (type-only imports, which emit
   * nothing, excluded), in source order. The executor loads them before the cell's code, as ES
   * modules evaluate their imports before their body.
   */
  imports: string[];
}

/** A completion answer: candidates replacing [start, end) of the cell text. */
export interface Completion {
  start: number;
  end: number;
  candidates: string[];
}

/** Quick info at a position: the rendered signature and documentation. */
export interface QuickInfo {
  text: string;
  start: number;
  length: number;
}

export { CELL_CONTEXT };

/** Declarations of the globals the kernel provides to cells. */
export const CELL_GLOBALS_DTS = `
interface TrainlabDisplayHandle { readonly displayId: string; update(value: unknown): void; }
/** Shows a value in the notebook (its [Symbol.for("Jupyter.display")]() bundle, or text) and returns a handle to update it in place. */
declare function display(value: unknown, options?: { displayId?: string }): TrainlabDisplayHandle;
/** Clears the cell's output; with wait=true, when the next output arrives. */
declare function clearOutput(wait?: boolean): void;
/** Asks the user for a line of text through the notebook (Jupyter input_request). Returns null when the frontend cannot ask. */
declare function prompt(message?: string, defaultValue?: string): string | null;
`;

type AnyNode = ts.Node & { locals?: Map<string, ts.Symbol>; parent: ts.Node };

const srcPrefix = "export {};\n";
const prefixLength = srcPrefix.length;

function asMutable<T>(o: T): { -readonly [K in keyof T]: T[K] } {
  return o as { -readonly [K in keyof T]: T[K] };
}

/** Top-level names a cell declares (what tslab reads from the binder's locals), collected from syntax. */
export function topLevelNames(sf: ts.SourceFile): string[] {
  const names = new Set<string>();
  const addBinding = (name: ts.BindingName): void => {
    if (ts.isIdentifier(name)) names.add(name.text);
    else for (const el of name.elements) if (!ts.isOmittedExpression(el)) addBinding(el.name);
  };
  for (const stmt of sf.statements) {
    const modifiers = ts.canHaveModifiers(stmt) ? ts.getModifiers(stmt) : undefined;
    if (modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword || m.kind === ts.SyntaxKind.DeclareKeyword)) continue;
    if (ts.isVariableStatement(stmt)) for (const d of stmt.declarationList.declarations) addBinding(d.name);
    else if (
      (ts.isFunctionDeclaration(stmt) || ts.isClassDeclaration(stmt) || ts.isEnumDeclaration(stmt) || ts.isInterfaceDeclaration(stmt) || ts.isTypeAliasDeclaration(stmt)) &&
      stmt.name
    )
      names.add(stmt.name.text);
    else if (ts.isModuleDeclaration(stmt) && ts.isIdentifier(stmt.name)) names.add(stmt.name.text);
    else if (ts.isImportEqualsDeclaration(stmt)) names.add(stmt.name.text);
    else if (ts.isImportDeclaration(stmt) && stmt.importClause) {
      const c = stmt.importClause;
      if (c.name) names.add(c.name.text);
      if (c.namedBindings) {
        if (ts.isNamespaceImport(c.namedBindings)) names.add(c.namedBindings.name.text);
        else for (const el of c.namedBindings.elements) names.add(el.name.text);
      }
    }
  }
  return [...names];
}

/**
 * Whether code is ready to run (`complete`), needs more lines (`incomplete`, with an indent),
 * or can never parse (`invalid`).
 */
export function isComplete(code: string): { status: "complete" | "incomplete" | "invalid"; indent?: string } {
  if (code.trim() === "") return { status: "complete" };
  const sf = ts.createSourceFile("cell.ts", code, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const diags = (sf as unknown as { parseDiagnostics: ts.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  if (diags.length === 0) return { status: "complete" };
  const end = code.length;
  const endsOpen = diags.some(
    (d) =>
      (d.start === end && d.length === 0 && typeof d.messageText === "string" && d.messageText.endsWith(" expected.")) ||
      d.code === 1160 /* Unterminated template literal */ ||
      d.code === 1010 /* '*\/' expected */,
  );
  if (endsOpen) {
    // A blank last line forces execution, as in IPython; the error will then be reported.
    if (/\n\s*\n\s*$/.test(code)) return { status: "invalid" };
    return { status: "incomplete", indent: indentOnEnter(code) };
  }
  return { status: "invalid" };
}

function indentOnEnter(src: string): string {
  const line = /[^\n]*$/.exec(src)?.[0] ?? "";
  const current = /^\s*/.exec(line)?.[0] ?? "";
  if (/^((?!\/\/).)*(\{[^}"'`]*|\([^)"'`]*|\[[^\]"'`]*)$/.test(line)) return current + "  ";
  return current;
}

interface CachedFile {
  sf: ts.SourceFile;
  mtimeMs: number;
}

/** Converts, completes and inspects cells in one working directory. */
export class Converter {
  readonly cwd: string;
  private readonly cellFile: string;
  private readonly declFile: string;
  private readonly globalsFile: string;
  private readonly options: ts.CompilerOptions;
  private readonly host: ts.CompilerHost;
  private readonly cache = new Map<string, CachedFile>();
  private readonly resolutionCache: ts.ModuleResolutionCache;
  /** Resolution that honours package.json `exports` (TypeScript's "bundler" rules), for ESM-only packages. */
  private readonly exportsOptions: ts.CompilerOptions;
  private readonly exportsResolutionCache: ts.ModuleResolutionCache;
  private program: ts.Program | undefined;
  /** The program chain of cells that use nothing from earlier cells (see `standalone`). */
  private standaloneProgram: ts.Program | undefined;
  private cellText = srcPrefix;
  private declText = srcPrefix;
  /** Parsed declaration files, by text: the last full one and the empty one. */
  private readonly declSfs = new Map<string, ts.SourceFile>();
  private globalsSf: ts.SourceFile;
  private readonly sideVersions = new Map<string, string>();

  /**
   * @param cwd the notebook's folder: imports resolve from here (then from `fallbackRoot`).
   * @param fallbackRoot a folder whose node_modules serve imports that `cwd` cannot resolve (the trainlab project).
   */
  constructor(cwd: string, private readonly fallbackRoot?: string) {
    ts.sys.useCaseSensitiveFileNames = true;
    this.cwd = cwd.replace(/\\/g, "/");
    this.cellFile = path.posix.join(this.cwd, "__tslab__.ts");
    this.declFile = path.posix.join(this.cwd, "__prev__.d.ts");
    this.globalsFile = path.posix.join(this.cwd, "__trainlab_globals__.d.ts");
    const typeRoots = defaultTypeRoots(this.cwd);
    if (fallbackRoot) typeRoots.push(path.join(fallbackRoot, "node_modules", "@types"));
    this.options = {
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      esModuleInterop: true,
      target: ts.ScriptTarget.ES2022,
      // The runtime is Node 20: ES2023 library typings (toSorted, findLast, ...); `using` gets its
      // Disposable / Symbol.dispose typings from @types/node.
      lib: ["lib.es2023.d.ts"],
      // Node10 resolution is what the cells' `require` does; TypeScript 6 deprecates its name.
      ignoreDeprecations: "6.0",
      declaration: true,
      sourceMap: true,
      newLine: ts.NewLineKind.LineFeed,
      noImplicitUseStrict: true,
      experimentalDecorators: true,
      resolveJsonModule: true,
      jsx: ts.JsxEmit.React,
      typeRoots,
      types: ["node"],
      allowJs: true,
      checkJs: true,
      disableTopLevelAwait: true,
      skipLibCheck: true,
      rootDir: this.cwd,
      outDir: "outDir",
    } as ts.CompilerOptions;
    if (fallbackRoot && !(this.cwd + "/").startsWith(fallbackRoot.replace(/\\/g, "/").replace(/\/?$/, "/"))) {
      // Outside the project, let packages resolve from its node_modules. The declarations carried to the
      // next cell name types by specifiers that TypeScript derives from these same patterns (for trainlab's
      // own files, a path under the project such as "dist/lib"), so every pattern's target must resolve:
      // the project folder itself is the last one. Absolute targets, so no (deprecated) baseUrl is needed.
      const root = fallbackRoot.replace(/\\/g, "/").replace(/\/$/, "");
      this.options.paths = { "*": [`${root}/node_modules/*`, `${root}/node_modules/@types/*`, `${root}/*`] };
    }
    this.globalsSf = ts.createSourceFile(this.globalsFile, CELL_GLOBALS_DTS, ts.ScriptTarget.ES2022);
    this.resolutionCache = ts.createModuleResolutionCache(this.cwd, (f) => f, this.options);
    this.exportsOptions = { ...this.options, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler };
    this.exportsResolutionCache = ts.createModuleResolutionCache(this.cwd, (f) => f, this.exportsOptions);
    this.host = this.createHost();
  }

  private createHost(): ts.CompilerHost {
    const base = ts.createCompilerHost(this.options);
    const host: ts.CompilerHost = {
      ...base,
      getCurrentDirectory: () => this.cwd,
      getSourceFile: (fileName, languageVersion) => this.getSourceFile(fileName, languageVersion),
      fileExists: (f) => f === this.cellFile || f === this.declFile || f === this.globalsFile || ts.sys.fileExists(f),
      readFile: (f) => (f === this.cellFile ? this.cellText : f === this.declFile ? this.declText : ts.sys.readFile(f)),
      writeFile: () => {
        throw new Error("the converter never writes files");
      },
      realpath: ts.sys.realpath,
      // Also caches package.json scopes, which every program would otherwise re-read for each file.
      getModuleResolutionCache: () => this.resolutionCache,
      directoryExists: ts.sys.directoryExists,
      getDirectories: ts.sys.getDirectories,
      resolveModuleNames: (moduleNames, containingFile, _reused, redirected, options) =>
        moduleNames.map((name) => {
          const found = this.resolve(name, containingFile, options, redirected);
          if (found || !this.fallbackRoot || name.startsWith(".")) return found;
          return this.resolve(name, path.join(this.fallbackRoot, "__fallback__.ts"), options, undefined);
        }),
    };
    return host;
  }

  /**
   * Resolves an import the way Node's `require` finds it (Node10 rules: `types`, `main`, index files),
   * and, when that finds no declarations, through the package's `exports` map (`types` / `import`
   * conditions), which is all that ESM-only packages such as ml-kmeans declare. The cell still
   * compiles to `require()`, which loads ES modules (Node >= 20.19).
   */
  private resolve(name: string, containingFile: string, options: ts.CompilerOptions, redirected: ts.ResolvedProjectReference | undefined): ts.ResolvedModuleFull | undefined {
    const node10 = ts.resolveModuleName(name, containingFile, options, this.host, this.resolutionCache, redirected).resolvedModule;
    if (node10 && /\.d\.[cm]?ts$|\.tsx?$/.test(node10.resolvedFileName)) return node10;
    const viaExports = ts.resolveModuleName(name, containingFile, this.exportsOptions, this.host, this.exportsResolutionCache).resolvedModule;
    if (viaExports && /\.d\.[cm]?ts$/.test(viaExports.resolvedFileName)) return viaExports;
    return node10;
  }

  private getSourceFile(fileName: string, languageVersion: ts.ScriptTarget | ts.CreateSourceFileOptions): ts.SourceFile | undefined {
    if (fileName === this.cellFile) return ts.createSourceFile(fileName, this.cellText, languageVersion);
    if (fileName === this.declFile) {
      let sf = this.declSfs.get(this.declText);
      if (!sf) {
        for (const text of this.declSfs.keys()) if (text !== srcPrefix) this.declSfs.delete(text);
        sf = ts.createSourceFile(fileName, this.declText, languageVersion);
        this.declSfs.set(this.declText, sf);
      }
      return sf;
    }
    if (fileName === this.globalsFile) return this.globalsSf;
    const cached = this.cache.get(fileName);
    // The notebook folder's own files (local modules) are re-read when they change on disk. Files in
    // node_modules or outside the folder (the project's dist/*.d.ts, TypeScript's lib) are read once per
    // kernel, as Node's module cache loads their code once: checking their dates for every cell cost
    // more than the cell's own type-check.
    const immutable = fileName.includes("/node_modules/") || !fileName.startsWith(this.cwd + "/");
    let mtimeMs = 0;
    if (!immutable) {
      try {
        mtimeMs = fs.statSync(fileName).mtimeMs;
      } catch {
        return undefined;
      }
    }
    if (cached && (immutable || cached.mtimeMs === mtimeMs)) return cached.sf;
    const text = ts.sys.readFile(fileName);
    if (text === undefined) return undefined;
    const sf = ts.createSourceFile(fileName, text, languageVersion);
    this.cache.set(fileName, { sf, mtimeMs });
    return sf;
  }

  private buildProgram(prevDecl: string, cellText: string, standalone = false): { program: ts.Program; srcFile: ts.SourceFile; declsFile: ts.SourceFile } {
    this.cellText = srcPrefix + cellText;
    this.declText = srcPrefix + (standalone ? "" : prevDecl);
    const program = ts.createProgram({
      rootNames: [this.globalsFile, this.declFile, this.cellFile],
      options: this.options,
      host: this.host,
      oldProgram: standalone ? this.standaloneProgram : this.program,
    });
    if (standalone) this.standaloneProgram = program;
    else this.program = program;
    const srcFile = program.getSourceFile(this.cellFile) as ts.SourceFile;
    const declsFile = program.getSourceFile(this.declFile) as ts.SourceFile;
    asMutable(srcFile as AnyNode).parent = declsFile;
    return { program, srcFile, declsFile };
  }

  /**
   * Creates the first program (lib and @types/node) so that the first cell is fast; with `module`, also
   * parses and binds that module's declarations (they stay cached for the cells that import it).
   */
  warmUp(module?: string): void {
    this.buildProgram("", module ? `import * as __warm__ from ${JSON.stringify(module)};` : "");
    this.program?.getTypeChecker();
    // A few small cells, so the first real ones run on compiled (not interpreted) compiler code.
    for (let i = 0; i < 10; i++) this.convert("", `${i} + 1`);
  }

  /** Type-checks and compiles a cell given the declarations of the previous cells. */
  convert(prevDecl: string, src: string): Conversion {
    const parsed = ts.createSourceFile("cell.ts", src, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
    const names = topLevelNames(parsed);
    const text = names.length > 0 ? `${src}\nexport { ${names.join(", ")} }` : src;
    const standalone = names.length === 0 && isStandalone(parsed, prevDecl);
    const { program, srcFile, declsFile } = this.buildProgram(prevDecl, text, standalone);
    const sideFiles = this.localDependencies(program);
    const rawDiagnostics: ts.Diagnostic[] = [...program.getSyntacticDiagnostics(srcFile)];
    if (rawDiagnostics.length === 0) rawDiagnostics.push(...program.getSemanticDiagnostics(srcFile));
    for (const f of sideFiles) rawDiagnostics.push(...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f));
    const { diagnostics, hasTopLevelAwait } = this.convertDiagnostics(srcFile, rawDiagnostics);
    if (diagnostics.length > 0) return { diagnostics, declarations: prevDecl, hasTopLevelAwait, sideOutputs: [], imports: [] };

    const checker = program.getTypeChecker();
    let js = "";
    let sourceMap: string | undefined;
    let dts = "";
    const keys = new Set(names);
    const required = new Set<string>();
    program.emit(
      srcFile,
      (fileName, data) => {
        if (fileName.endsWith(".js.map")) sourceMap = data;
        else if (fileName.endsWith(".d.ts")) dts = data;
        else if (fileName.endsWith(".js")) js = data;
      },
      undefined,
      false,
      this.transformers(checker, srcFile, declsFile, keys, required),
    );
    const sideOutputs: SideOutput[] = [];
    for (const f of sideFiles) {
      if (this.sideVersions.get(f.fileName) === f.text) continue;
      this.sideVersions.set(f.fileName, f.text);
      program.emit(f, (fileName, data) => {
        if (!fileName.endsWith(".js")) return;
        const rel = path.relative("outDir", fileName);
        sideOutputs.push({ path: path.join(this.cwd, rel), js: data });
      });
    }
    js = js.replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n");
    // A variable whose inferred type cannot be named in a declaration file would vanish from later
    // cells: keep it, typed `any`, rather than lose it.
    let untyped = "";
    if (dts === "" || names.length > 0) {
      for (const d of program.getDeclarationDiagnostics(srcFile)) {
        if (d.start === undefined) continue;
        let node: ts.Node | undefined = (ts as unknown as { getTokenAtPosition(sf: ts.SourceFile, pos: number): ts.Node }).getTokenAtPosition(srcFile, d.start);
        while (node && !ts.isVariableDeclaration(node)) node = node.parent;
        if (node && ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && !new RegExp(`\\b${node.name.text}\\b`).test(dts)) untyped += `declare let ${node.name.text}: any;\n`;
      }
    }
    const declarations = standalone ? prevDecl : dts + untyped + this.remainingDecls(checker, srcFile, declsFile);
    const imports = importedModules(parsed).filter((spec) => required.has(spec));
    const gated = gateAwaits(js);
    return { diagnostics, js: gated.js, insertions: gated.insertions, sourceMap, declarations, hasTopLevelAwait, sideOutputs, imports };
  }

  /** Local (non-node_modules) .ts/.js files that the program compiles besides the cell. */
  private localDependencies(program: ts.Program): ts.SourceFile[] {
    return program
      .getSourceFiles()
      .filter(
        (f) =>
          !f.isDeclarationFile &&
          f.fileName !== this.cellFile &&
          !f.fileName.includes("/node_modules/") &&
          !program.isSourceFileFromExternalLibrary(f) &&
          f.fileName.startsWith(this.cwd + "/"),
      );
  }

  /** Completion candidates at `position` of the cell. */
  complete(prevDecl: string, src: string, position: number): Completion {
    const { program, srcFile } = this.buildProgram(prevDecl, src);
    program.getTypeChecker(); // binds the files (sets parent pointers that completion walks)
    const pos = position + prefixLength;
    // TypeScript's own completion engine (what the language service calls), run on this program.
    const completions = (ts as unknown as { Completions: { getCompletionsAtPosition: (...args: unknown[]) => ts.CompletionInfo | undefined } }).Completions;
    const info = completions.getCompletionsAtPosition(
      this.languageServiceHost(),
      program,
      () => undefined,
      srcFile,
      pos,
      {},
      undefined,
      ts.CompletionTriggerKind.Invoked,
      { isCancellationRequested: () => false, throwIfCancellationRequested: () => undefined },
    );
    const entries = info?.entries ?? [];
    const tsInternal = ts as unknown as {
      findPrecedingToken(pos: number, sf: ts.SourceFile): ts.Node | undefined;
      findNextToken(prev: ts.Node, parent: ts.Node, sf: ts.SourceFile): ts.Node | undefined;
    };
    const prev = tsInternal.findPrecedingToken(pos, srcFile);
    let id: ts.Identifier | undefined;
    if (prev && ts.isIdentifier(prev) && prev.end >= pos) id = prev;
    else if (prev) {
      const next = tsInternal.findNextToken(prev, srcFile, srcFile);
      if (next && ts.isIdentifier(next) && next.getStart(srcFile) <= pos && pos <= next.end) id = next;
    }
    if (id) {
      const name = id.text;
      const lower = name.toLowerCase();
      const ranked = entries
        .map((e, index) => {
          const key = e.name.startsWith(name) ? "0" : e.name.toLowerCase().startsWith(lower) ? "1" : e.name.toLowerCase().includes(lower) ? "2" : "";
          return key ? { name: e.name, sortKey: key + e.sortText, index } : undefined;
        })
        .filter((e): e is { name: string; sortKey: string; index: number } => !!e)
        .sort((a, b) => a.sortKey.localeCompare(b.sortKey) || a.index - b.index);
      return { start: id.getStart(srcFile) - prefixLength, end: id.end - prefixLength, candidates: ranked.map((e) => e.name) };
    }
    const sorted = entries.slice().sort((a, b) => a.sortText.localeCompare(b.sortText) || a.name.localeCompare(b.name));
    return { start: position, end: position, candidates: sorted.map((e) => e.name) };
  }

  /** The parts of a LanguageServiceHost that completion reads (module paths in import strings). */
  private languageServiceHost(): ts.LanguageServiceHost {
    return {
      getCompilationSettings: () => this.options,
      getCurrentDirectory: () => this.cwd,
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      getScriptFileNames: () => [this.globalsFile, this.declFile, this.cellFile],
      getScriptVersion: () => "0",
      getScriptSnapshot: (f) => {
        const text = this.host.readFile(f);
        return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
      },
      fileExists: (f) => this.host.fileExists(f),
      readFile: (f) => this.host.readFile(f),
      directoryExists: (d) => ts.sys.directoryExists(d),
      getDirectories: (d) => ts.sys.getDirectories(d),
      readDirectory: (p, e, x, i, d) => ts.sys.readDirectory(p, e, x, i, d),
      useCaseSensitiveFileNames: () => true,
    };
  }

  /** The type and documentation of the symbol at `position`, or undefined. */
  inspect(prevDecl: string, src: string, position: number): QuickInfo | undefined {
    const { program, srcFile } = this.buildProgram(prevDecl, src);
    const checker = program.getTypeChecker();
    // Jupyter sends the cursor just after the name; look at the character before it too.
    let info = quickInfo(srcFile, checker, position + prefixLength);
    if (!info && position > 0) info = quickInfo(srcFile, checker, position - 1 + prefixLength);
    if (!info) return undefined;
    const parts = (info.displayParts ?? []).map((p) => p.text).join("");
    const docs = (info.documentation ?? []).map((d) => d.text).join("");
    const tags = (info.tags ?? []).map((t) => `@${t.name} ${(t.text ?? []).map((x) => x.text).join("")}`).join("\n");
    const text = [parts, docs, tags].filter((s) => s.length > 0).join("\n\n");
    return { text, start: info.textSpan.start - prefixLength, length: info.textSpan.length };
  }

  private convertDiagnostics(srcFile: ts.SourceFile, input: readonly ts.Diagnostic[]): { diagnostics: CellDiagnostic[]; hasTopLevelAwait: boolean } {
    let hasTopLevelAwait = false;
    const diagnostics: CellDiagnostic[] = [];
    const tsInternal = ts as unknown as { findPrecedingToken(pos: number, sf: ts.SourceFile): ts.Node | undefined };
    for (const d of input) {
      if (!d.file || d.start === undefined) continue;
      if (d.category !== ts.DiagnosticCategory.Error) continue;
      // 1308: await outside an async function; 1378 / 1432: top-level await / for await under CommonJS.
      if (d.file === srcFile && (d.code === 1308 || d.code === 1378 || d.code === 1432)) {
        const awaitToken = tsInternal.findPrecedingToken(d.start + (d.length ?? 0), srcFile);
        const token = d.code === 1432 ? tsInternal.findPrecedingToken(d.start + 1, srcFile) : awaitToken;
        if (token?.kind === ts.SyntaxKind.AwaitKeyword && isTopLevel(token, srcFile)) {
          hasTopLevelAwait = true;
          continue;
        }
      }
      const isCell = d.file === srcFile;
      const start = ts.getLineAndCharacterOfPosition(d.file, d.start);
      const end = ts.getLineAndCharacterOfPosition(d.file, d.start + (d.length ?? 0));
      const lineShift = isCell ? 1 : 0;
      diagnostics.push({
        line: start.line - lineShift + 1,
        column: start.character + 1,
        endLine: end.line - lineShift + 1,
        endColumn: end.character + 1,
        message: ts.flattenDiagnosticMessageText(d.messageText, "\n"),
        code: d.code,
        fileName: isCell ? undefined : path.relative(this.cwd, d.file.fileName),
      });
    }
    return { diagnostics, hasTopLevelAwait };
  }

  /** @param required receives the specifiers of the `require("...")` calls the emitted CommonJS makes at top level. */
  private transformers(checker: ts.TypeChecker, srcFile: ts.SourceFile, declsFile: ts.SourceFile, locals: Set<string>, required: Set<string>): ts.CustomTransformers {
    // Statements: the `export {};` prefix, the cell's own, then (when it declares names) the `export { ... }` suffix.
    const own = srcFile.statements.slice(1, locals.size > 0 ? -1 : undefined);
    const lastStatement = own[own.length - 1];
    const lastExpression = lastStatement && ts.isExpressionStatement(lastStatement) ? lastStatement : undefined;
    const isPrevDeclared = (id: ts.Identifier): boolean => {
      const original = ts.getParseTreeNode(id);
      if (!original || !ts.isIdentifier(original)) return false;
      const parent = original.parent as ts.Node | undefined;
      if (parent) {
        if ((ts.isPropertyAccessExpression(parent) || ts.isQualifiedName(parent)) && (parent as ts.PropertyAccessExpression).name === original) return false;
        if ((ts.isPropertyAssignment(parent) || ts.isMethodDeclaration(parent) || ts.isPropertyDeclaration(parent) || ts.isGetAccessor(parent) || ts.isSetAccessor(parent) || ts.isEnumMember(parent) || ts.isPropertySignature(parent)) && parent.name === original) return false;
        if (ts.isBindingElement(parent) && parent.propertyName === original) return false;
        if ((ts.isLabeledStatement(parent) || ts.isBreakOrContinueStatement(parent)) && parent.label === original) return false;
        if (ts.isMetaProperty(parent) || ts.isJsxAttribute(parent)) return false;
      }
      const symbol = checker.getSymbolAtLocation(original);
      return !!symbol?.declarations?.some((d) => d.getSourceFile() === declsFile);
    };
    const isPrevShorthand = (n: ts.ShorthandPropertyAssignment): boolean => {
      const original = ts.getParseTreeNode(n);
      if (!original || !ts.isShorthandPropertyAssignment(original)) return false;
      const symbol = checker.getShorthandAssignmentValueSymbol(original);
      return !!symbol?.declarations?.some((d) => d.getSourceFile() === declsFile);
    };
    const before: ts.TransformerFactory<ts.SourceFile> = (context) => (node) => {
      // Hand the value of a final expression statement to the executor.
      if (!lastExpression) return node;
      const statements = node.statements.map((s) =>
        s === lastExpression || ts.getOriginalNode(s) === lastExpression
          ? ts.setTextRange(
              context.factory.createExpressionStatement(
                context.factory.createAssignment(
                  context.factory.createPropertyAccessExpression(context.factory.createIdentifier(CELL_CONTEXT), "last"),
                  lastExpression.expression,
                ),
              ),
              lastExpression,
            )
          : s,
      );
      return context.factory.updateSourceFile(node, statements);
    };
    const after: ts.TransformerFactory<ts.SourceFile> = (context) => (node) => {
      for (const statement of node.statements) collectTopLevelRequires(statement, required);
      const visit = (n: ts.Node): ts.Node => {
        if (ts.isShorthandPropertyAssignment(n) && isPrevShorthand(n)) {
          return context.factory.createPropertyAssignment(n.name.text, context.factory.createPropertyAccessExpression(context.factory.createIdentifier("exports"), n.name.text));
        }
        if (ts.isPropertyAccessExpression(n)) {
          return context.factory.updatePropertyAccessExpression(n, ts.visitNode(n.expression, visit) as ts.Expression, n.name);
        }
        if (ts.isIdentifier(n)) {
          return isPrevDeclared(n) ? context.factory.createPropertyAccessExpression(context.factory.createIdentifier("exports"), n.text) : n;
        }
        return ts.visitEachChild(n, visit, context);
      };
      return ts.visitEachChild(node, visit, context);
    };
    const afterDeclarations: ts.TransformerFactory<ts.SourceFile | ts.Bundle> = (context) => (node) => {
      if (!ts.isSourceFile(node)) return node;
      return context.factory.updateSourceFile(
        node,
        node.statements.filter((s) => !ts.isExportDeclaration(s)),
      );
    };
    return { before: [before], after: [after], afterDeclarations: [afterDeclarations] };
  }

  /** The previous cells' declarations that this cell does not redeclare (tslab's remainingDecls). */
  private remainingDecls(checker: ts.TypeChecker, srcSF: ts.SourceFile, declsSF: ts.SourceFile): string {
    const declLocals = (declsSF as unknown as AnyNode).locals ?? new Map<string, ts.Symbol>();
    const locals = (srcSF as unknown as AnyNode).locals ?? new Map<string, ts.Symbol>();
    const keepMap = new Map<ts.Node, Set<string>>();
    const addName = (node: ts.Node, name: string): void => {
      let set = keepMap.get(node);
      if (!set) keepMap.set(node, (set = new Set()));
      set.add(name);
    };
    const valueNames = new Set<string>();
    const anyVars = new Set<string>();
    const keepOf = (symb: ts.Symbol | undefined): { value: boolean; type: boolean } => {
      const ret = { value: true, type: true };
      if (!symb) return ret;
      if (symb.flags & ts.SymbolFlags.Alias) symb = checker.getAliasedSymbol(symb);
      if (symb.flags & ts.SymbolFlags.Value) ret.value = false;
      if (symb.flags & ts.SymbolFlags.Type) ret.type = false;
      return ret;
    };
    declLocals.forEach((sym, key) => {
      const keep = keepOf(locals.get(key));
      if (!keep.type && !keep.value) return;
      for (const decl of sym.declarations ?? []) {
        let node: ts.Node = decl;
        while (node.parent && node.parent !== declsSF) node = node.parent;
        if (ts.isVariableStatement(node)) {
          if (keep.value) {
            addName(node, key);
            anyVars.delete(key);
            valueNames.add(key);
          }
        } else if (ts.isTypeAliasDeclaration(node) || ts.isInterfaceDeclaration(node)) {
          if (keep.type) addName(node, key);
        } else if (ts.isClassDeclaration(node) || ts.isEnumDeclaration(node)) {
          if (keep.type) {
            if (keep.value) addName(node, key);
          } else if (node.name && !valueNames.has(node.name.text)) anyVars.add(node.name.text);
        } else if (ts.isImportDeclaration(node) || ts.isImportEqualsDeclaration(node)) {
          if (keep.type && keep.value) {
            addName(node, key);
            continue;
          }
          const aliased = checker.getAliasedSymbol(sym);
          if (!keep.value) {
            if (aliased.flags & ts.SymbolFlags.Value) continue;
            if (aliased.flags & ts.SymbolFlags.Type) addName(node, key);
            continue;
          }
          if (aliased.flags & ts.SymbolFlags.Type) {
            if (aliased.flags & ts.SymbolFlags.Value && !valueNames.has(String(aliased.escapedName))) anyVars.add(String(aliased.escapedName));
            continue;
          }
          addName(node, key);
        } else if (ts.isFunctionDeclaration(node) || ts.isModuleDeclaration(node)) {
          if (keep.value) addName(node, key);
        }
      }
    });
    const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed });
    const out: string[] = [];
    for (const stmt of declsSF.statements) {
      const names = keepMap.get(stmt);
      if (!names) continue;
      if (ts.isVariableStatement(stmt)) {
        const decls = stmt.declarationList.declarations.filter((d) => ts.isIdentifier(d.name) && names.has(d.name.text));
        const list = ts.factory.updateVariableDeclarationList(stmt.declarationList, decls);
        out.push(printer.printNode(ts.EmitHint.Unspecified, ts.factory.updateVariableStatement(stmt, stmt.modifiers, list), declsSF));
      } else if (ts.isImportDeclaration(stmt) && stmt.importClause) {
        const imc = stmt.importClause;
        const name = imc.name && names.has(imc.name.text) ? imc.name : undefined;
        let bindings = imc.namedBindings;
        if (bindings && ts.isNamespaceImport(bindings) && !names.has(bindings.name.text)) bindings = undefined;
        else if (bindings && ts.isNamedImports(bindings)) {
          const els = bindings.elements.filter((e) => names.has(e.name.text));
          bindings = els.length ? ts.factory.updateNamedImports(bindings, els) : undefined;
        }
        if (!name && !bindings) continue;
        const clause = ts.factory.updateImportClause(imc, imc.phaseModifier, name, bindings);
        out.push(printer.printNode(ts.EmitHint.Unspecified, ts.factory.updateImportDeclaration(stmt, stmt.modifiers, clause, stmt.moduleSpecifier, stmt.attributes), declsSF));
      } else {
        out.push(printer.printNode(ts.EmitHint.Unspecified, stmt, declsSF));
      }
    }
    for (const name of anyVars) out.push(`let ${name}: any;`);
    return out.length ? out.join("\n") + "\n" : "";
  }
}

/**
 * Whether a cell can be checked without the earlier cells' declarations (and so without the packages
 * they imported, which are most of the program's files): it declares and imports nothing and names
 * nothing that those declarations mention (any identifier of the cell that occurs in their text, even
 * in a comment or a type, sends it to the full check). It then leaves the declarations unchanged, and
 * its code is the same either way, since nothing in it refers to earlier cells.
 */
function isStandalone(sf: ts.SourceFile, prevDecl: string): boolean {
  for (const stmt of sf.statements) {
    if (ts.isImportDeclaration(stmt) || ts.isImportEqualsDeclaration(stmt) || ts.isExportDeclaration(stmt) || ts.isExportAssignment(stmt) || ts.isModuleDeclaration(stmt)) return false;
    const modifiers = ts.canHaveModifiers(stmt) ? ts.getModifiers(stmt) : undefined;
    if (modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword || m.kind === ts.SyntaxKind.DeclareKeyword)) return false;
  }
  if (prevDecl.trim() === "") return true;
  const mentioned = new Set(prevDecl.match(/[\p{L}\p{Nl}$_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}$_\u200c\u200d]*/gu) ?? []);
  let independent = true;
  const visit = (node: ts.Node): void => {
    if (!independent) return;
    if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) {
      if (mentioned.has(node.text)) independent = false;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return independent;
}

/** Every `node_modules/@types` folder from `dir` up to the root (TypeScript's default type roots). */
function defaultTypeRoots(dir: string): string[] {
  const roots: string[] = [];
  for (let d = dir; ; d = path.posix.dirname(d)) {
    const candidate = path.posix.join(d, "node_modules", "@types");
    if (ts.sys.directoryExists(candidate)) roots.push(candidate);
    if (path.posix.dirname(d) === d) return roots;
  }
}

type TsInternal = {
  getTouchingPropertyName(sf: ts.SourceFile, pos: number): ts.Node;
  getContainerNode(node: ts.Node): ts.Node | undefined;
  typeToDisplayParts(checker: ts.TypeChecker, type: ts.Type, enclosing?: ts.Node): ts.SymbolDisplayPart[];
  SymbolDisplay: {
    getSymbolDisplayPartsDocumentationAndSymbolKind(
      checker: ts.TypeChecker,
      symbol: ts.Symbol,
      sf: ts.SourceFile,
      enclosing: ts.Node | undefined,
      location: ts.Node,
    ): { displayParts: ts.SymbolDisplayPart[]; documentation: ts.SymbolDisplayPart[]; tags: ts.JSDocTagInfo[] | undefined };
  };
};

/** Quick info at a position, as the language service's getQuickInfoAtPosition computes it, on a given program. */
function quickInfo(sf: ts.SourceFile, checker: ts.TypeChecker, position: number): ts.QuickInfo | undefined {
  const internal = ts as unknown as TsInternal;
  const node = internal.getTouchingPropertyName(sf, position);
  if (node === sf) return undefined;
  const span = { start: node.getStart(sf), length: node.getEnd() - node.getStart(sf) };
  const symbol = checker.getSymbolAtLocation(node);
  if (!symbol || symbol.flags === ts.SymbolFlags.None) {
    if (!ts.isExpression(node)) return undefined;
    const type = checker.getTypeAtLocation(node);
    return {
      kind: ts.ScriptElementKind.unknown,
      kindModifiers: "",
      textSpan: span,
      displayParts: internal.typeToDisplayParts(checker, type, internal.getContainerNode(node)),
      documentation: type.symbol ? type.symbol.getDocumentationComment(checker) : undefined,
      tags: type.symbol ? type.symbol.getJsDocTags(checker) : undefined,
    };
  }
  const parts = internal.SymbolDisplay.getSymbolDisplayPartsDocumentationAndSymbolKind(checker, symbol, sf, internal.getContainerNode(node), node);
  return { kind: ts.ScriptElementKind.unknown, kindModifiers: "", textSpan: span, displayParts: parts.displayParts, documentation: parts.documentation, tags: parts.tags };
}

/** The module specifiers of a cell's value imports (`import ... from "m"`, `import "m"`, `import x = require("m")`), in order. */
export function importedModules(sf: ts.SourceFile): string[] {
  const specs: string[] = [];
  for (const stmt of sf.statements) {
    if (ts.isImportDeclaration(stmt) && !stmt.importClause?.isTypeOnly && ts.isStringLiteral(stmt.moduleSpecifier)) specs.push(stmt.moduleSpecifier.text);
    else if (ts.isImportEqualsDeclaration(stmt) && !stmt.isTypeOnly && ts.isExternalModuleReference(stmt.moduleReference) && ts.isStringLiteral(stmt.moduleReference.expression)) {
      specs.push(stmt.moduleReference.expression.text);
    }
  }
  return [...new Set(specs)];
}

/** Adds the specifiers of `require("...")` calls in a statement, not looking inside functions or classes. */
function collectTopLevelRequires(node: ts.Node, out: Set<string>): void {
  if (ts.isFunctionLike(node) || ts.isClassLike(node)) return;
  if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && ts.idText(node.expression) === "require" && node.arguments.length === 1) {
    const arg = node.arguments[0];
    if (ts.isStringLiteral(arg)) out.add(arg.text);
  }
  ts.forEachChild(node, (child) => collectTopLevelRequires(child, out));
}

function isTopLevel(node: ts.Node, srcFile: ts.SourceFile): boolean {
  let parent: ts.Node | undefined = node.parent;
  while (parent && parent !== srcFile) {
    switch (parent.kind) {
      case ts.SyntaxKind.ArrowFunction:
      case ts.SyntaxKind.FunctionExpression:
      case ts.SyntaxKind.FunctionDeclaration:
      case ts.SyntaxKind.ClassDeclaration:
      case ts.SyntaxKind.ModuleDeclaration:
      case ts.SyntaxKind.MethodDeclaration:
        return false;
    }
    parent = parent.parent;
  }
  return true;
}
