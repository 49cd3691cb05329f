/**
 * Papermill-style parameters for TypeScript notebooks.
 *
 * A notebook marks one code cell with the tag `parameters` and declares its parameters there with `let`:
 *
 *   let fast = process.env.TRAINLAB_FAST === "1";
 *   let seed = 42;
 *   let epochs = fast ? 3 : 30;
 *
 * `npm start -- notebooks/04-train.ipynb -p epochs=3` inserts, right after that cell, a cell tagged
 * `injected-parameters` that assigns the new values (`epochs = 3;`), so the kernel's type checker checks them.
 */

/** A notebook cell as nbformat 4 stores it. */
export interface NotebookCell {
  cell_type: "code" | "markdown" | "raw";
  source: string | string[];
  metadata: Record<string, unknown> & { tags?: string[] };
  outputs?: NotebookOutput[];
  execution_count?: number | null;
  id?: string;
}

/** One output of a code cell. */
export interface NotebookOutput {
  output_type: "stream" | "display_data" | "execute_result" | "error" | "update_display_data";
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
  traceback?: string[];
  execution_count?: number | null;
}

/** An nbformat 4 notebook. */
export interface NotebookJson {
  cells: NotebookCell[];
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
}

/** A parameter value: what `-p name=value` parses to. */
export type ParameterValue = number | boolean | string | null | unknown[] | Record<string, unknown>;

/** The source of a cell as one string. */
export function cellSource(cell: NotebookCell): string {
  return Array.isArray(cell.source) ? cell.source.join("") : cell.source;
}

/**
 * Parses a command-line value the way papermill does: numbers, true/false, null and JSON arrays, objects or
 * quoted strings become those; anything else stays a string.
 */
export function parseParameterValue(text: string): ParameterValue {
  const t = text.trim();
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return Number(t);
  if (t === "true" || t === "false") return t === "true";
  if (t === "null") return null;
  if (/^[[{"]/.test(t)) {
    try {
      return JSON.parse(t) as ParameterValue;
    } catch {
      return text;
    }
  }
  return text;
}

/**
 * Reads `-p name=value` (or `-p name value`, `--parameter name=value`) pairs from command-line arguments.
 * Returns the parameters and the arguments that were not parameters.
 * @throws Error on a `-p` without a name or value, or a name that is not a valid identifier.
 */
export function parseParameterArgs(args: readonly string[]): {
  params: Record<string, ParameterValue>;
  rest: string[];
} {
  const params: Record<string, ParameterValue> = {};
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a !== "-p" && a !== "--parameter" && !a.startsWith("-p=") && !a.startsWith("--parameter=")) {
      rest.push(a);
      continue;
    }
    let spec = a === "-p" || a === "--parameter" ? args[++i] : a.slice(a.indexOf("=") + 1);
    if (spec === undefined) throw new Error(`${a} needs a value, e.g. -p epochs=3`);
    let name: string;
    let value: string;
    if (spec.includes("=")) {
      name = spec.slice(0, spec.indexOf("="));
      value = spec.slice(spec.indexOf("=") + 1);
    } else {
      name = spec;
      const next = args[++i];
      if (next === undefined) throw new Error(`-p ${spec} needs a value, e.g. -p ${spec}=3`);
      value = next;
    }
    spec = name.trim();
    if (!/^[A-Za-z_$][\w$]*$/.test(spec))
      throw new Error(`Parameter name ${JSON.stringify(name)} is not a valid TypeScript identifier.`);
    params[spec] = parseParameterValue(value);
  }
  return { params, rest };
}

/** The index of the cell tagged `parameters`, or -1. */
export function parametersCellIndex(nb: NotebookJson): number {
  return nb.cells.findIndex((c) => c.cell_type === "code" && (c.metadata?.tags ?? []).includes("parameters"));
}

/** The names a parameters cell declares, with how (`let`, `const` or `var`). */
export function declaredParameters(source: string): Map<string, "let" | "const" | "var"> {
  const declared = new Map<string, "let" | "const" | "var">();
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
  for (const m of code.matchAll(/\b(let|const|var)\s+([A-Za-z_$][\w$]*)/g))
    declared.set(m[2], m[1] as "let" | "const" | "var");
  return declared;
}

/**
 * Returns a copy of the notebook with a cell assigning `params`, inserted right after the `parameters` cell.
 * @throws Error naming the notebook when it has no `parameters` cell, a parameter is not declared there
 *   (listing those that are), or is declared with `const`.
 */
export function injectParameters(
  nb: NotebookJson,
  params: Record<string, ParameterValue>,
  notebookName = "the notebook",
): NotebookJson {
  const names = Object.keys(params);
  const copy = JSON.parse(JSON.stringify(nb)) as NotebookJson;
  if (names.length === 0) return copy;
  const index = parametersCellIndex(copy);
  if (index < 0)
    throw new Error(
      `${notebookName} has no code cell tagged "parameters", so -p ${names[0]}=... cannot be applied. Tag the cell that declares its parameters.`,
    );
  const declared = declaredParameters(cellSource(copy.cells[index]));
  for (const name of names) {
    const how = declared.get(name);
    if (!how)
      throw new Error(
        `${notebookName} has no parameter "${name}". Its parameters cell declares: ${[...declared.keys()].join(", ") || "nothing"}.`,
      );
    if (how === "const")
      throw new Error(
        `${notebookName} declares parameter "${name}" with const; declare it with let so it can be overridden.`,
      );
  }
  const lines = ["// Parameters injected by the report runner (npm start -- ... -p name=value)"];
  for (const name of names) lines.push(`${name} = ${JSON.stringify(params[name])};`);
  const injected: NotebookCell = {
    cell_type: "code",
    execution_count: null,
    metadata: { tags: ["injected-parameters"] },
    outputs: [],
    source: lines.join("\n"),
  };
  if (copy.nbformat > 4 || (copy.nbformat === 4 && copy.nbformat_minor >= 5)) injected.id = "injected-parameters";
  copy.cells.splice(index + 1, 0, injected);
  const trainlab = (copy.metadata.trainlab as Record<string, unknown> | undefined) ?? {};
  copy.metadata.trainlab = { ...trainlab, parameters: params };
  return copy;
}
