#!/usr/bin/env bash
# Builds trainlab: TypeScript -> dist/ (JS + .d.ts) with the same compiler (node_modules/typescript) that checks notebook cells,
# and links node_modules/trainlab to this folder so notebooks can `import ... from "trainlab"`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# Native kernel pack (lib/kernels/native): a C++ addon on OpenBLAS for the wasm backend. Optional: when the
# compiler, OpenBLAS or node-gyp is missing, or the build fails, trainlab runs on stock wasm and the backend
# report says why (the reason is kept in lib/kernels/native/build/status.txt). Rebuilt only when sources change.
build_native() {
  local dir=lib/kernels/native out=lib/kernels/native/build/Release/trainlab_native.node status
  status="$dir/build/status.txt"
  note() { mkdir -p "$dir/build"; echo "$*" > "$status"; echo "trainlab build: native kernel pack not built: $*" >&2; }
  if [ "${TRAINLAB_NATIVE:-}" = 0 ]; then note "skipped (TRAINLAB_NATIVE=0)"; return 0; fi
  if [ -f "$out" ] && [ -z "$(find "$dir/src" "$dir/binding.gyp" -newer "$out" 2>/dev/null)" ]; then
    grep -qs '^built' "$status" || { mkdir -p "$dir/build"; echo "built (up to date) $(date -u +%FT%TZ)" > "$status"; }
    return 0
  fi
  local cxx="${CXX:-}"
  if [ -z "$cxx" ]; then for c in g++ c++ clang++; do command -v "$c" >/dev/null 2>&1 && { cxx="$c"; break; }; done; fi
  { [ -n "$cxx" ] && command -v "$cxx" >/dev/null 2>&1; } || { note "no C++ compiler found (install g++, or set CXX)"; return 0; }
  command -v make >/dev/null 2>&1 || { note "make is not installed"; return 0; }
  if ! printf '#include <cblas.h>\nint main(){return 0;}\n' | "$cxx" -x c++ - -o /dev/null ${TRAINLAB_BLAS_INCLUDE:-} ${CONDA_PREFIX:+-I$CONDA_PREFIX/include -L$CONDA_PREFIX/lib} ${TRAINLAB_BLAS_LIBS:--lopenblas} >/dev/null 2>&1; then
    note "OpenBLAS headers/library (cblas.h, -lopenblas) not found"; return 0
  fi
  local gyp="" nodedir
  for c in "$(npm root -g 2>/dev/null)/npm/node_modules/node-gyp/bin/node-gyp.js" "$(dirname "$(command -v npm)")/../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"; do
    [ -f "$c" ] && { gyp="$c"; break; }
  done
  [ -n "$gyp" ] || { note "node-gyp (bundled with npm) not found"; return 0; }
  nodedir="$(npm config get nodedir 2>/dev/null || true)"
  if [ -z "$nodedir" ] || [ "$nodedir" = undefined ] || [ "$nodedir" = null ]; then nodedir="$(dirname "$(dirname "$(command -v node)")")"; fi
  [ -f "$nodedir/include/node/node_api.h" ] || { note "Node headers not found under $nodedir/include/node (set npm's nodedir)"; return 0; }
  local log; log="$(mktemp)"
  if (cd "$dir" && CXX="$cxx" CXXFLAGS="${CONDA_PREFIX:+-I$CONDA_PREFIX/include}" LDFLAGS="${CONDA_PREFIX:+-L$CONDA_PREFIX/lib -Wl,-rpath,$CONDA_PREFIX/lib}" \
        node "$gyp" rebuild --nodedir="$nodedir" --loglevel=error) >"$log" 2>&1; then
    mkdir -p "$dir/build"; echo "built $(date -u +%FT%TZ)" > "$status"
  else
    note "node-gyp failed: $(grep -m1 -E 'error' "$log" || tail -n1 "$log")"
  fi
  rm -f "$log"
}
build_native || true
node node_modules/typescript/bin/tsc -p tsconfig.json
ln -sfn .. node_modules/trainlab
