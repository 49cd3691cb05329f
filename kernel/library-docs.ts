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
    getJsDocCommentsFromDeclarations(
      declarations: readonly ts.Declaration[],
      checker: ts.TypeChecker,
    ): ts.SymbolDisplayPart[];
    getJsDocTagsFromDeclarations(declarations: readonly ts.Declaration[], checker: ts.TypeChecker): ts.JSDocTagInfo[];
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
 * The documentation of a symbol declared in files parsed without JSDoc, read from full parses of those files;
 * `undefined` when none of its declarations was parsed that way, or there is no documentation. As in TypeScript's
 * quick info: aliases (imported names) are followed to what they name, the comment and the tags are each inherited
 * from the base member when a member has none, and `{@link}` names resolve where the declaration is. Never throws.
 */
export function libraryDocumentation(symbol: ts.Symbol, checker: ts.TypeChecker): Documentation | undefined {
  try {
    const target = aliasTarget(symbol, checker);
    if (!(target.declarations ?? []).some(parsedWithoutDocs)) return undefined;
    const found = documentationOf(target, checker, new Set([target]));
    return found.documentation.length > 0 || found.tags.length > 0 ? found : undefined;
  } catch {
    return undefined;
  }
}

/** What an imported name (an alias) names; any other symbol itself. */
function aliasTarget(symbol: ts.Symbol, checker: ts.TypeChecker): ts.Symbol {
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

/** A symbol's documentation and tags, each inherited from its base member when it has none (TypeScript's rules). */
function documentationOf(symbol: ts.Symbol, checker: ts.TypeChecker, seen: Set<ts.Symbol>): Documentation {
  const target = aliasTarget(symbol, checker);
  const all = target.declarations ?? [];
  const declarations = all.filter(parsedWithoutDocs);
  // All in fully parsed files (a cell, a local module, a JavaScript file): TypeScript's own answer, inheritance included.
  if (declarations.length === 0)
    return { documentation: target.getDocumentationComment(checker), tags: target.getJsDocTags(checker) };
  const pairs = declarations.flatMap((d) => {
    const twin = fullyParsedTwin(d);
    return twin ? [{ declaration: d, twin: twin as ts.Declaration }] : [];
  });
  const jsDoc = (ts as unknown as JsDocInternal).JsDoc;
  // A function's quick info documents one signature (the first documented one), as TypeScript's does; other symbols
  // (an interface merged from several files) document all their declarations.
  const callable = target.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Method);
  let own: Documentation = { documentation: [], tags: [] };
  for (const group of callable ? pairs.map((p) => [p]) : [pairs]) {
    if (group.length === 0) continue;
    const twins = group.map((p) => p.twin);
    const links = linkResolver(checker, group[0].declaration);
    own = {
      documentation: jsDoc.getJsDocCommentsFromDeclarations(twins, links),
      tags: jsDoc.getJsDocTagsFromDeclarations(twins, links),
    };
    if (own.documentation.length > 0 || own.tags.length > 0) break;
  }
  // The comment and the tags are each taken from the base member when the member has none of its own (or says
  // @inheritDoc), independently of each other.
  const inheritDoc = own.tags.some((t) => t.name === "inheritDoc" || t.name === "inheritdoc");
  if (own.documentation.length > 0 && own.tags.length > 0 && !inheritDoc) return own;
  const base = baseMember(target, all, checker, seen);
  if (!base) return own;
  const inherited = documentationOf(base, checker, seen);
  const documentation =
    own.documentation.length === 0
      ? inherited.documentation
      : inheritDoc && inherited.documentation.length > 0
        ? [...inherited.documentation, { kind: "lineBreak", text: "\n" }, ...own.documentation]
        : own.documentation;
  const tags = own.tags.length === 0 || inheritDoc ? [...inherited.tags, ...own.tags] : own.tags;
  return { documentation, tags };
}

/** The member of the same name in the first base class or interface of the member's container that has one. */
function baseMember(
  member: ts.Symbol,
  declarations: readonly ts.Declaration[],
  checker: ts.TypeChecker,
  seen: Set<ts.Symbol>,
): ts.Symbol | undefined {
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
        return base;
      }
    }
  }
  return undefined;
}

const isStaticKeyword = (m: ts.ModifierLike): boolean => m.kind === ts.SyntaxKind.StaticKeyword;

/**
 * The checker TypeScript's JSDoc rendering gets for a full parse outside the program: `{@link name}` in it resolves
 * in the scope of the declaration it documents (`scope`, in the program), as TypeScript resolves it there, so a link
 * reads as an editor shows it (a resolved link as its name, an unresolved one as TypeScript renders it).
 */
function linkResolver(checker: ts.TypeChecker, scope: ts.Node): ts.TypeChecker {
  let inScope: Map<string, ts.Symbol> | undefined;
  const meaning = ts.SymbolFlags.Value | ts.SymbolFlags.Type | ts.SymbolFlags.Namespace | ts.SymbolFlags.Alias;
  const member = (owner: ts.Symbol | undefined, name: string): ts.Symbol | undefined => {
    if (!owner) return undefined;
    const target = aliasTarget(owner, checker);
    const escaped = ts.escapeLeadingUnderscores(name);
    return (
      target.exports?.get(escaped) ??
      target.members?.get(escaped) ??
      checker.getPropertyOfType(checker.getTypeOfSymbol(target), name)
    );
  };
  // Inside a class or interface, a plain name also finds a member of it (`{@link fit}` on a sibling method).
  const memberOfContainer = (name: string): ts.Symbol | undefined => {
    const container = ts.isClassLike(scope) || ts.isInterfaceDeclaration(scope) ? scope : scope.parent;
    if (!container || !(ts.isClassLike(container) || ts.isInterfaceDeclaration(container))) return undefined;
    const instance = checker.getTypeAtLocation(container);
    return (
      checker.getPropertyOfType(instance, name) ??
      (instance.symbol ? checker.getPropertyOfType(checker.getTypeOfSymbol(instance.symbol), name) : undefined)
    );
  };
  const resolve = (name: ts.Node): ts.Symbol | undefined => {
    if (ts.isIdentifier(name)) {
      if (!inScope) {
        // Innermost first; a module's own exported names come as local stand-ins for their exported symbols.
        inScope = new Map();
        for (const s of checker.getSymbolsInScope(scope, meaning))
          if (!inScope.has(s.name)) inScope.set(s.name, checker.getExportSymbolOfSymbol(s));
      }
      return inScope.get(name.text) ?? memberOfContainer(name.text);
    }
    if (ts.isQualifiedName(name)) return member(resolve(name.left), name.right.text);
    if (ts.isPropertyAccessExpression(name)) return member(resolve(name.expression), name.name.text);
    return undefined;
  };
  return { ...checker, getSymbolAtLocation: resolve };
}
