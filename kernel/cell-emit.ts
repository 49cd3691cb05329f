/**
 * The transforms of a cell's emit and the declarations it carries to the next cell (tslab's approach): names that
 * earlier cells declared are read from the shared `exports`, the last expression's value goes to the executor, and
 * the next cell's `__prev__.d.ts` keeps the earlier declarations this cell did not redeclare.
 */
import * as ts from "typescript";
import { CELL_CONTEXT } from "./checker";
import { collectTopLevelRequires } from "./cell-syntax";

type AnyNode = ts.Node & { locals?: Map<string, ts.Symbol>; parent: ts.Node };

/**
 * The cell's emit: its last expression statement hands its value to the executor, names earlier cells declared
 * become `exports.name`, and the declaration output loses the `export { ... }` suffix.
 * @param required receives the specifiers of the `require("...")` calls the emitted CommonJS makes at top level. */
export function cellTransformers(
  checker: ts.TypeChecker,
  srcFile: ts.SourceFile,
  declsFile: ts.SourceFile,
  locals: Set<string>,
  required: Set<string>,
): ts.CustomTransformers {
  // Statements: the `export {};` prefix, the cell's own, then (when it declares names) the `export { ... }` suffix.
  const own = srcFile.statements.slice(1, locals.size > 0 ? -1 : undefined);
  const lastStatement = own[own.length - 1];
  const lastExpression = lastStatement && ts.isExpressionStatement(lastStatement) ? lastStatement : undefined;
  const isPrevDeclared = (id: ts.Identifier): boolean => {
    const original = ts.getParseTreeNode(id);
    if (!original || !ts.isIdentifier(original)) return false;
    const parent = original.parent as ts.Node | undefined;
    if (parent) {
      if (
        (ts.isPropertyAccessExpression(parent) || ts.isQualifiedName(parent)) &&
        (parent as ts.PropertyAccessExpression).name === original
      )
        return false;
      if (
        (ts.isPropertyAssignment(parent) ||
          ts.isMethodDeclaration(parent) ||
          ts.isPropertyDeclaration(parent) ||
          ts.isGetAccessor(parent) ||
          ts.isSetAccessor(parent) ||
          ts.isEnumMember(parent) ||
          ts.isPropertySignature(parent)) &&
        parent.name === original
      )
        return false;
      if (ts.isBindingElement(parent) && parent.propertyName === original) return false;
      if ((ts.isLabeledStatement(parent) || ts.isBreakOrContinueStatement(parent)) && parent.label === original)
        return false;
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
        return context.factory.createPropertyAssignment(
          n.name.text,
          context.factory.createPropertyAccessExpression(context.factory.createIdentifier("exports"), n.name.text),
        );
      }
      if (ts.isPropertyAccessExpression(n)) {
        return context.factory.updatePropertyAccessExpression(
          n,
          ts.visitNode(n.expression, visit) as ts.Expression,
          n.name,
        );
      }
      if (ts.isIdentifier(n)) {
        return isPrevDeclared(n)
          ? context.factory.createPropertyAccessExpression(context.factory.createIdentifier("exports"), n.text)
          : n;
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
export function remainingDeclarations(checker: ts.TypeChecker, srcSF: ts.SourceFile, declsSF: ts.SourceFile): string {
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
          if (aliased.flags & ts.SymbolFlags.Value && !valueNames.has(String(aliased.escapedName)))
            anyVars.add(String(aliased.escapedName));
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
      out.push(
        printer.printNode(
          ts.EmitHint.Unspecified,
          ts.factory.updateVariableStatement(stmt, stmt.modifiers, list),
          declsSF,
        ),
      );
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
      out.push(
        printer.printNode(
          ts.EmitHint.Unspecified,
          ts.factory.updateImportDeclaration(stmt, stmt.modifiers, clause, stmt.moduleSpecifier, stmt.attributes),
          declsSF,
        ),
      );
    } else {
      out.push(printer.printNode(ts.EmitHint.Unspecified, stmt, declsSF));
    }
  }
  for (const name of anyVars) out.push(`let ${name}: any;`);
  return out.length ? out.join("\n") + "\n" : "";
}
