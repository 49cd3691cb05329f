/**
 * What can be read from a cell's syntax alone, with no program or type checker: the names it declares at top level,
 * whether it is complete (Jupyter's is_complete), whether it stands alone (needs none of the earlier cells'
 * declarations), which modules it imports and which its emitted code requires.
 */
import * as ts from "typescript";

/** The line the converter puts before every cell (it makes the cell a module); positions shift by its length. */
export const CELL_PREFIX = "export {};\n";

/** Top-level names a cell declares (what tslab reads from the binder's locals), collected from syntax. */
export function topLevelNames(sf: ts.SourceFile): string[] {
  const names = new Set<string>();
  const addBinding = (name: ts.BindingName): void => {
    if (ts.isIdentifier(name)) names.add(name.text);
    else for (const el of name.elements) if (!ts.isOmittedExpression(el)) addBinding(el.name);
  };
  for (const stmt of sf.statements) {
    const modifiers = ts.canHaveModifiers(stmt) ? ts.getModifiers(stmt) : undefined;
    if (modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword || m.kind === ts.SyntaxKind.DeclareKeyword))
      continue;
    if (ts.isVariableStatement(stmt)) for (const d of stmt.declarationList.declarations) addBinding(d.name);
    else if (
      (ts.isFunctionDeclaration(stmt) ||
        ts.isClassDeclaration(stmt) ||
        ts.isEnumDeclaration(stmt) ||
        ts.isInterfaceDeclaration(stmt) ||
        ts.isTypeAliasDeclaration(stmt)) &&
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
      (d.start === end &&
        d.length === 0 &&
        typeof d.messageText === "string" &&
        d.messageText.endsWith(" expected.")) ||
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

/**
 * Whether a cell can be checked without the earlier cells' declarations (and so without the packages
 * they imported, which are most of the program's files): it declares and imports nothing and names
 * nothing that those declarations mention (any identifier of the cell that occurs in their text, even
 * in a comment or a type, sends it to the full check). It then leaves the declarations unchanged, and
 * its code is the same either way, since nothing in it refers to earlier cells.
 */
export function isStandalone(sf: ts.SourceFile, prevDecl: string): boolean {
  for (const stmt of sf.statements) {
    if (
      ts.isImportDeclaration(stmt) ||
      ts.isImportEqualsDeclaration(stmt) ||
      ts.isExportDeclaration(stmt) ||
      ts.isExportAssignment(stmt) ||
      ts.isModuleDeclaration(stmt)
    )
      return false;
    const modifiers = ts.canHaveModifiers(stmt) ? ts.getModifiers(stmt) : undefined;
    if (modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword || m.kind === ts.SyntaxKind.DeclareKeyword))
      return false;
  }
  if (prevDecl.trim() === "") return true;
  const mentioned = new Set(
    prevDecl.match(/[\p{L}\p{Nl}$_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}$_\u200c\u200d]*/gu) ?? [],
  );
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

/** The module specifiers of a cell's value imports (`import ... from "m"`, `import "m"`, `import x = require("m")`), in order. */
export function importedModules(sf: ts.SourceFile): string[] {
  const specs: string[] = [];
  for (const stmt of sf.statements) {
    if (ts.isImportDeclaration(stmt) && !stmt.importClause?.isTypeOnly && ts.isStringLiteral(stmt.moduleSpecifier))
      specs.push(stmt.moduleSpecifier.text);
    else if (
      ts.isImportEqualsDeclaration(stmt) &&
      !stmt.isTypeOnly &&
      ts.isExternalModuleReference(stmt.moduleReference) &&
      ts.isStringLiteral(stmt.moduleReference.expression)
    ) {
      specs.push(stmt.moduleReference.expression.text);
    }
  }
  return [...new Set(specs)];
}

/** Adds the specifiers of `require("...")` calls in a statement, not looking inside functions or classes. */
export function collectTopLevelRequires(node: ts.Node, out: Set<string>): void {
  if (ts.isFunctionLike(node) || ts.isClassLike(node)) return;
  if (
    ts.isCallExpression(node) &&
    ts.isIdentifier(node.expression) &&
    ts.idText(node.expression) === "require" &&
    node.arguments.length === 1
  ) {
    const arg = node.arguments[0];
    if (ts.isStringLiteral(arg)) out.add(arg.text);
  }
  ts.forEachChild(node, (child) => collectTopLevelRequires(child, out));
}

export function isTopLevel(node: ts.Node, srcFile: ts.SourceFile): boolean {
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
