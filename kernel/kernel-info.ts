/**
 * The kernel's kernel_info_reply content: protocol and implementation versions, and the language (TypeScript, with
 * the version of the compiler that checks cells). Cheap to compute: the kernel answers kernel_info before anything
 * heavy loads.
 */
import * as fs from "fs";
import * as path from "path";
import { PROTOCOL_VERSION } from "./wire";

function kernelVersion(projectRoot: string): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8")).version as string;
  } catch {
    return "0.0.0";
  }
}

function typescriptVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(require.resolve("typescript/package.json"), "utf8")) as { version: string })
      .version;
  } catch {
    return "unknown";
  }
}

/** The content of kernel_info_reply for the kernel serving `projectRoot` (whose package.json gives its version). */
export function kernelInfo(projectRoot: string): Record<string, unknown> {
  const typescript = typescriptVersion();
  return {
    status: "ok",
    protocol_version: PROTOCOL_VERSION,
    implementation: "trainlab",
    implementation_version: kernelVersion(projectRoot),
    language_info: {
      name: "typescript",
      version: typescript,
      mimetype: "text/typescript",
      file_extension: ".ts",
      pygments_lexer: "typescript",
      // A plain string, as Deno sends: strict clients (runtimelib) accept only a string or {name, version};
      // classic Notebook finds CodeMirror's "TypeScript" mode by this name, JupyterLab its TypeScript language.
      codemirror_mode: "typescript",
    },
    banner: `trainlab: TypeScript ${typescript} on Node.js ${process.version}, type-checked cells with top-level await and rich display`,
    help_links: [{ text: "TypeScript handbook", url: "https://www.typescriptlang.org/docs/handbook/intro.html" }],
    debugger: false,
  };
}
