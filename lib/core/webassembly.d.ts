/**
 * The part of the `WebAssembly` global that lib/ touches (lib/models/svm.ts switches off streaming instantiation while
 * libsvm's Emscripten glue loads). Node has the global at run time, but @types/node 20 does not declare it and
 * TypeScript declares it only in its DOM library, which lib/ does not build against (tsconfig.lib.json). Written as
 * an overload so that it merges with the DOM declaration where tests and benches include that library.
 */
declare namespace WebAssembly {
  /** Compiles and instantiates a module from a streamed response (Node 18+). */
  function instantiateStreaming(source: unknown, importObject?: unknown): Promise<unknown>;
}
