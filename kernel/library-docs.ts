/**
 * Library declaration files are parsed without their documentation comments, and those comments are read back
 * only when a user inspects a name. @types/node, tfjs and trainlab's own declarations are mostly JSDoc. Parsing
 * it made up a quarter of the type checker's warm-up, and nothing in type checking a .ts or .d.ts file reads it:
 * TypeScript itself offers this mode (`JSDocParsingMode.ParseForTypeInfo`; JavaScript files keep their JSDoc,
 * which carries their types). Quick info (Shift-Tab, `name?`) gets the documentation from a full parse of the
 * declaration's file, made when first needed and kept.
 */
import * as ts from "typescript";

/** How library files are parsed: no JSDoc in .ts / .d.ts files (see the file comment). */
export function libraryParseOptions(
  languageVersion: ts.ScriptTarget | ts.CreateSourceFileOptions,
): ts.CreateSourceFileOptions {
  const base = typeof languageVersion === "object" ? languageVersion : { languageVersion };
  return { ...base, jsDocParsingMode: ts.JSDocParsingMode.ParseForTypeInfo };
}

type JsDocInternal = {
  JsDoc: {
    getJsDocCommentsFromDeclarations(declarations: readonly ts.Declaration[]): ts.SymbolDisplayPart[];
    getJsDocTagsFromDeclarations(declarations: readonly ts.Declaration[]): ts.JSDocTagInfo[];
  };
};

/** The documentation and tags of declarations, as TypeScript's quick info shows them. */
export interface Documentation {
  documentation: ts.SymbolDisplayPart[];
  tags: ts.JSDocTagInfo[];
}

/** Full parses of library files whose documentation was asked for, by file name. */
const fullParses = new Map<string, ts.SourceFile>();

/** Whether the file a node is in was parsed without its JSDoc. */
function parsedWithoutDocs(node: ts.Node): boolean {
  const sf = node.getSourceFile() as ts.SourceFile & { jsDocParsingMode?: ts.JSDocParsingMode };
  return sf !== undefined && sf.jsDocParsingMode !== undefined && sf.jsDocParsingMode !== ts.JSDocParsingMode.ParseAll;
}

/**
 * The node at the same place in a full parse of `node`'s file: the text is the same, so positions and kinds match
 * (documentation comments are trivia, outside every node's span). Undefined if no node matches.
 */
function fullyParsedTwin(node: ts.Node): ts.Node | undefined {
  const sf = node.getSourceFile();
  let full = fullParses.get(sf.fileName);
  if (!full || full.text !== sf.text) {
    full = ts.createSourceFile(
      sf.fileName,
      sf.text,
      { languageVersion: sf.languageVersion, jsDocParsingMode: ts.JSDocParsingMode.ParseAll },
      true,
    );
    fullParses.set(sf.fileName, full);
  }
  let at: ts.Node = full;
  for (;;) {
    if (at.pos === node.pos && at.end === node.end && at.kind === node.kind) return at;
    let next: ts.Node | undefined;
    at.forEachChild((child) => {
      if (!next && child.pos <= node.pos && node.end <= child.end) next = child;
    });
    if (!next) return undefined;
    at = next;
  }
}

/**
 * The documentation of a symbol's declarations where quick info found none because their files were parsed
 * without JSDoc; `undefined` when there is nothing to add (the declarations were fully parsed, or their full parse
 * has no documentation either). Aliases (imported names) are followed to what they name. A class or interface member
 * with no documentation of its own gets its base type's, as TypeScript's quick info does. Never throws.
 */
export function libraryDocumentation(symbol: ts.Symbol, checker: ts.TypeChecker): Documentation | undefined {
  try {
    return documentationOf(symbol, checker, new Set([symbol]));
  } catch {
    return undefined;
  }
}

function documentationOf(symbol: ts.Symbol, checker: ts.TypeChecker, seen: Set<ts.Symbol>): Documentation | undefined {
  const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  const all = target.declarations ?? [];
  const declarations = all.filter(parsedWithoutDocs);
  if (declarations.length < all.length) {
    // Some declaration is in a fully parsed file (a cell, a local module): TypeScript's own answer covers it.
    const documentation = target.getDocumentationComment(checker);
    const tags = target.getJsDocTags(checker);
    if (documentation.length > 0 || tags.length > 0) return { documentation, tags };
  }
  const twins = declarations.map(fullyParsedTwin).filter((d): d is ts.Declaration => d !== undefined);
  const jsDoc = (ts as unknown as JsDocInternal).JsDoc;
  // A function's quick info documents one signature (the first), as TypeScript's does; other symbols (an
  // interface merged from several files) document all their declarations.
  const callable = target.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Method);
  for (const group of callable ? twins.map((d) => [d]) : [twins]) {
    const documentation = jsDoc.getJsDocCommentsFromDeclarations(group);
    const tags = jsDoc.getJsDocTagsFromDeclarations(group);
    if (documentation.length > 0 || tags.length > 0) return { documentation, tags };
  }
  return inheritedDocumentation(target, all, checker, seen);
}

/** The documentation of the member of the same name in a base class or interface of the member's container. */
function inheritedDocumentation(
  member: ts.Symbol,
  declarations: readonly ts.Declaration[],
  checker: ts.TypeChecker,
  seen: Set<ts.Symbol>,
): Documentation | undefined {
  for (const declaration of declarations) {
    const container = ts.isConstructorDeclaration(declaration.parent) ? declaration.parent.parent : declaration.parent;
    if (!container || !(ts.isClassLike(container) || ts.isInterfaceDeclaration(container))) continue;
    const isStatic = ts.canHaveModifiers(declaration) && ts.getModifiers(declaration)?.some(isStaticKeyword);
    for (const clause of container.heritageClauses ?? []) {
      for (const typeNode of clause.types) {
        const baseType = checker.getTypeAtLocation(typeNode);
        const type = isStatic && baseType.symbol ? checker.getTypeOfSymbol(baseType.symbol) : baseType;
        const base = checker.getPropertyOfType(type, member.name);
        if (!base || seen.has(base)) continue;
        seen.add(base);
        const found = documentationOf(base, checker, seen);
        if (found) return found;
      }
    }
  }
  return undefined;
}

const isStaticKeyword = (m: ts.ModifierLike): boolean => m.kind === ts.SyntaxKind.StaticKeyword;
