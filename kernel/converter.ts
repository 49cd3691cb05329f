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
 * What is read from a cell's syntax alone is in cell-syntax.ts, the emit's transforms and the declarations carried
 * to the next cell in cell-emit.ts, completion and quick info in cell-info.ts.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { CELL_CONTEXT } from "./checker";
import { gateAwaits } from "./await-gate";
import type { Insertions } from "./cell-tasks";
import { CELL_PREFIX, importedModules, isComplete, isStandalone, isTopLevel, topLevelNames } from "./cell-syntax";
import { cellTransformers, remainingDeclarations } from "./cell-emit";
import { CellProgram, Completion, QuickInfo, completeIn, inspectIn } from "./cell-info";
import { libraryParseOptions } from "./library-docs";

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

export type { Completion, QuickInfo };
export { CELL_CONTEXT, isComplete };

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

const srcPrefix = CELL_PREFIX;

function asMutable<T>(o: T): { -readonly [K in keyof T]: T[K] } {
  return o as { -readonly [K in keyof T]: T[K] };
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
  constructor(
    cwd: string,
    private readonly fallbackRoot?: string,
  ) {
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
    this.exportsOptions = {
      ...this.options,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
    };
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
  private resolve(
    name: string,
    containingFile: string,
    options: ts.CompilerOptions,
    redirected: ts.ResolvedProjectReference | undefined,
  ): ts.ResolvedModuleFull | undefined {
    const node10 = ts.resolveModuleName(
      name,
      containingFile,
      options,
      this.host,
      this.resolutionCache,
      redirected,
    ).resolvedModule;
    if (node10 && /\.d\.[cm]?ts$|\.tsx?$/.test(node10.resolvedFileName)) return node10;
    const viaExports = ts.resolveModuleName(
      name,
      containingFile,
      this.exportsOptions,
      this.host,
      this.exportsResolutionCache,
    ).resolvedModule;
    if (viaExports && /\.d\.[cm]?ts$/.test(viaExports.resolvedFileName)) return viaExports;
    return node10;
  }

  private getSourceFile(
    fileName: string,
    languageVersion: ts.ScriptTarget | ts.CreateSourceFileOptions,
  ): ts.SourceFile | undefined {
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
    const sf = ts.createSourceFile(fileName, text, immutable ? libraryParseOptions(languageVersion) : languageVersion);
    this.cache.set(fileName, { sf, mtimeMs });
    return sf;
  }

  private buildProgram(
    prevDecl: string,
    cellText: string,
    standalone = false,
  ): { program: ts.Program; srcFile: ts.SourceFile; declsFile: ts.SourceFile } {
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
    asMutable(srcFile as ts.Node & { parent: ts.Node }).parent = declsFile;
    return { program, srcFile, declsFile };
  }

  /**
   * The warm-up, in steps to run in order between requests: the first program (lib and @types/node), so that the
   * first cell is fast; with `module`, that module's declarations parsed and bound (cached for the cells that
   * import it); then a few small cells, so the first real ones run on compiled (not interpreted) compiler code.
   */
  warmUpSteps(module?: string): Array<() => void> {
    const steps: Array<() => void> = [
      () => {
        this.buildProgram("", "");
        this.program?.getTypeChecker();
      },
    ];
    if (module) {
      steps.push(() => {
        this.buildProgram("", `import * as __warm__ from ${JSON.stringify(module)};`);
        this.program?.getTypeChecker();
      });
    }
    for (let i = 0; i < 10; i++) steps.push(() => void this.convert("", `${i} + 1`));
    return steps;
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
    for (const f of sideFiles)
      rawDiagnostics.push(...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f));
    const { diagnostics, hasTopLevelAwait } = this.convertDiagnostics(srcFile, rawDiagnostics);
    if (diagnostics.length > 0)
      return { diagnostics, declarations: prevDecl, hasTopLevelAwait, sideOutputs: [], imports: [] };

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
      cellTransformers(checker, srcFile, declsFile, keys, required),
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
        let node: ts.Node | undefined = (
          ts as unknown as { getTokenAtPosition(sf: ts.SourceFile, pos: number): ts.Node }
        ).getTokenAtPosition(srcFile, d.start);
        while (node && !ts.isVariableDeclaration(node)) node = node.parent;
        if (
          node &&
          ts.isVariableDeclaration(node) &&
          ts.isIdentifier(node.name) &&
          !new RegExp(`\\b${node.name.text}\\b`).test(dts)
        )
          untyped += `declare let ${node.name.text}: any;\n`;
      }
    }
    const declarations = standalone ? prevDecl : dts + untyped + remainingDeclarations(checker, srcFile, declsFile);
    const imports = importedModules(parsed).filter((spec) => required.has(spec));
    const gated = gateAwaits(js);
    return {
      diagnostics,
      js: gated.js,
      insertions: gated.insertions,
      sourceMap,
      declarations,
      hasTopLevelAwait,
      sideOutputs,
      imports,
    };
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

  /** The program for a cell (with the previous cells' declarations), for completion and inspection. */
  private cellProgram(prevDecl: string, src: string): CellProgram {
    const { program, srcFile } = this.buildProgram(prevDecl, src);
    return {
      program,
      srcFile,
      options: this.options,
      cwd: this.cwd,
      rootFiles: [this.globalsFile, this.declFile, this.cellFile],
      host: this.host,
    };
  }

  /** Completion candidates at `position` of the cell. */
  complete(prevDecl: string, src: string, position: number): Completion {
    return completeIn(this.cellProgram(prevDecl, src), position);
  }

  /** The type and documentation of the symbol at `position`, or undefined. */
  inspect(prevDecl: string, src: string, position: number): QuickInfo | undefined {
    return inspectIn(this.cellProgram(prevDecl, src), position);
  }

  /** Quick info at several positions of one cell, on one program (as an editor hovering over several names). */
  inspectMany(prevDecl: string, src: string, positions: readonly number[]): Array<QuickInfo | undefined> {
    const cell = this.cellProgram(prevDecl, src);
    return positions.map((position) => inspectIn(cell, position));
  }

  private convertDiagnostics(
    srcFile: ts.SourceFile,
    input: readonly ts.Diagnostic[],
  ): { diagnostics: CellDiagnostic[]; hasTopLevelAwait: boolean } {
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
