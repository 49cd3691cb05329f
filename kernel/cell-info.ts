/**
 * Completion and quick info (Jupyter's complete_request and inspect_request) on the converter's program for a cell,
 * with TypeScript's own completion engine and symbol display, as the language service computes them.
 */
import * as ts from "typescript";
import { CELL_PREFIX } from "./cell-syntax";
import { libraryDocumentation } from "./library-docs";

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

/** The program of a cell, as the converter built it, and what a language service host needs to know of it. */
export interface CellProgram {
  program: ts.Program;
  srcFile: ts.SourceFile;
  options: ts.CompilerOptions;
  cwd: string;
  /** The program's root files (globals, previous declarations, the cell). */
  rootFiles: string[];
  host: ts.CompilerHost;
}

const prefixLength = CELL_PREFIX.length;

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
    ): {
      displayParts: ts.SymbolDisplayPart[];
      documentation: ts.SymbolDisplayPart[];
      tags: ts.JSDocTagInfo[] | undefined;
    };
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
    const docs = type.symbol ? libraryDocumentation(type.symbol, checker) : undefined;
    return {
      kind: ts.ScriptElementKind.unknown,
      kindModifiers: "",
      textSpan: span,
      displayParts: internal.typeToDisplayParts(checker, type, internal.getContainerNode(node)),
      documentation: docs?.documentation ?? type.symbol?.getDocumentationComment(checker),
      tags: docs?.tags ?? type.symbol?.getJsDocTags(checker),
    };
  }
  const parts = internal.SymbolDisplay.getSymbolDisplayPartsDocumentationAndSymbolKind(
    checker,
    symbol,
    sf,
    internal.getContainerNode(node),
    node,
  );
  // Library files are parsed without their JSDoc (library-docs.ts): their documentation is read back here.
  const docs = libraryDocumentation(symbol, checker);
  return {
    kind: ts.ScriptElementKind.unknown,
    kindModifiers: "",
    textSpan: span,
    displayParts: parts.displayParts,
    documentation: docs?.documentation ?? parts.documentation,
    tags: docs?.tags ?? parts.tags,
  };
}

/** Completion candidates at `position` of the cell (TypeScript's ranking, names matching the typed prefix first). */
export function completeIn(cell: CellProgram, position: number): Completion {
  const { program, srcFile } = cell;
  program.getTypeChecker(); // binds the files (sets parent pointers that completion walks)
  const pos = position + prefixLength;
  // TypeScript's own completion engine (what the language service calls), run on this program.
  const completions = (
    ts as unknown as {
      Completions: { getCompletionsAtPosition: (...args: unknown[]) => ts.CompletionInfo | undefined };
    }
  ).Completions;
  const info = completions.getCompletionsAtPosition(
    languageServiceHost(cell),
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
        const key = e.name.startsWith(name)
          ? "0"
          : e.name.toLowerCase().startsWith(lower)
            ? "1"
            : e.name.toLowerCase().includes(lower)
              ? "2"
              : "";
        return key ? { name: e.name, sortKey: key + e.sortText, index } : undefined;
      })
      .filter((e): e is { name: string; sortKey: string; index: number } => !!e)
      .sort((a, b) => a.sortKey.localeCompare(b.sortKey) || a.index - b.index);
    return {
      start: id.getStart(srcFile) - prefixLength,
      end: id.end - prefixLength,
      candidates: ranked.map((e) => e.name),
    };
  }
  const sorted = entries.slice().sort((a, b) => a.sortText.localeCompare(b.sortText) || a.name.localeCompare(b.name));
  return { start: position, end: position, candidates: sorted.map((e) => e.name) };
}

/** The parts of a LanguageServiceHost that completion reads (module paths in import strings). */
function languageServiceHost(cell: CellProgram): ts.LanguageServiceHost {
  return {
    getCompilationSettings: () => cell.options,
    getCurrentDirectory: () => cell.cwd,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    getScriptFileNames: () => cell.rootFiles,
    getScriptVersion: () => "0",
    getScriptSnapshot: (f) => {
      const text = cell.host.readFile(f);
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    },
    fileExists: (f) => cell.host.fileExists(f),
    readFile: (f) => cell.host.readFile(f),
    directoryExists: (d) => ts.sys.directoryExists(d),
    getDirectories: (d) => ts.sys.getDirectories(d),
    readDirectory: (p, e, x, i, d) => ts.sys.readDirectory(p, e, x, i, d),
    useCaseSensitiveFileNames: () => true,
  };
}

/** The type and documentation of the symbol at `position` of the cell, or undefined. */
export function inspectIn(cell: CellProgram, position: number): QuickInfo | undefined {
  const { program, srcFile } = cell;
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
