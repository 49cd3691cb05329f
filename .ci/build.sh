#!/usr/bin/env bash
# Builds trainlab: TypeScript -> dist/ (JS + .d.ts readable by the kernel's TS 5.0 checker),
# and links node_modules/trainlab to this folder so notebooks can `import ... from "trainlab"`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
node node_modules/typescript/bin/tsc -p tsconfig.json
ln -sfn .. node_modules/trainlab
