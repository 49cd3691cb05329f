#!/usr/bin/env bash
# One-command set-up shared by `npm start`, `npm test`, `npm run bench` and CI.
#   bash .ci/setup.sh start|test|bench
# Idempotent: every step checks before it acts, so re-running costs seconds.
#  1. npm ci            (only when package-lock.json changed since the last install)
#  2. system packages   (Jupyter, OpenBLAS; Chromium for tests; Python anchors for benches)
#                       from Debian's apt when running as root, else an exact instruction
#  3. build             (TypeScript -> dist/, native kernel pack when a compiler and BLAS exist)
#  4. kernelspec        (registers the "trainlab" kernel with the Jupyter it found)
#  5. test only: the JupyterLab harness (tests/browser/jupyterlab: npm ci + esbuild bundle), when its lock or sources changed
#  6. bench only: the data bench's Polars anchor (bench/data-anchors: npm ci), when its lock changed
set -euo pipefail
mode="${1:-start}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
say() { printf '\033[1mtrainlab setup:\033[0m %s\n' "$*" >&2; }

# --- 1. node dependencies -------------------------------------------------------
lock_hash="$(sha256sum package-lock.json | cut -c1-64)"
stamp="node_modules/.trainlab-lock-hash"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > "$stamp"
fi

# --- 2. system packages -----------------------------------------------------------
find_python() {
  for py in "${TRAINLAB_PYTHON:-}" "${CONDA_PREFIX:+$CONDA_PREFIX/bin/python}" /usr/bin/python3 python3; do
    [ -n "$py" ] || continue
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import nbclient, nbconvert, jupyter_client' >/dev/null 2>&1; then
      command -v "$py"; return 0
    fi
  done
  return 1
}
apt_packages=(jupyter-notebook jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel libopenblas-dev g++ make)
case "$mode" in
  start) apt_packages+=(chromium fonts-liberation) ;;  # the report runner draws each figure's PNG with plotly.js in Chromium
  test)  apt_packages+=(python3-jupyter-kernel-test chromium fonts-liberation python3-jupyter-server) ;;
  bench) apt_packages+=(python3-jupyter-kernel-test python3-pandas python3-sklearn python3-torch) ;;
esac
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
python_ok=1; find_python >/dev/null || python_ok=0
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq "${missing[@]}" >/dev/null
  elif [ "$python_ok" = 0 ]; then
    say "Jupyter (nbclient, nbconvert, jupyter_client) was not found, and this is not a root Debian shell with apt."
    say "Create the conda environment, activate it, then run this command again:"
    say "    conda env create -f environment.yml && conda activate trainlab"
    exit 1
  else
    say "note: system packages not installed (${missing[*]}); continuing with what this machine has."
  fi
fi
python="$(find_python)" || { say "Jupyter is still missing. Run: conda env create -f environment.yml && conda activate trainlab"; exit 1; }

# --- 3. build ---------------------------------------------------------------------
bash .ci/build.sh
echo "$python" > dist/python-path

# --- 4. kernelspec ----------------------------------------------------------------
TRAINLAB_PYTHON="$python" node dist/kernel/install.js install --quiet

# --- 5. JupyterLab harness (test only) ------------------------------------------------
# Its own package (JupyterLab 3.6 frontend packages, jupyterlab-plotly, esbuild) so the root install stays lean.
if [ "$mode" = test ]; then
  lab=tests/browser/jupyterlab
  lab_lock="$(sha256sum "$lab/package-lock.json" | cut -c1-64)"
  lab_stamp="$lab/node_modules/.trainlab-lock-hash"
  if [ ! -f "$lab_stamp" ] || [ "$(cat "$lab_stamp")" != "$lab_lock" ]; then
    say "npm ci in $lab (JupyterLab harness)"
    (cd "$lab" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$lab_lock" > "$lab_stamp"
  fi
  # The same hash tests/browser/lab-server.ts checks: package-lock.json, build.js, then src/* by name.
  lab_sources="$(cd "$lab" && cat package-lock.json build.js $(ls src/* | LC_ALL=C sort) | sha256sum | cut -c1-64)"
  build_stamp="$lab/build/.trainlab-build-hash"
  if [ ! -f "$build_stamp" ] || [ "$(cat "$build_stamp")" != "$lab_sources" ]; then
    say "bundling the JupyterLab harness ($lab/build)"
    (cd "$lab" && node build.js)
    echo "$lab_sources" > "$build_stamp"
  fi
fi

# --- 6. data-bench anchors (bench only) ------------------------------------------------
# Polars for Node (bench/data-anchors/package.json) in its own folder, so notebooks and tests never load it.
# Its binary is for linux-x64-gnu: elsewhere the install fails, the note says so and `bench data` reports Polars skipped.
if [ "$mode" = bench ]; then
  anchors=bench/data-anchors
  anchors_lock="$(sha256sum "$anchors/package-lock.json" | cut -c1-64)"
  anchors_stamp="$anchors/node_modules/.trainlab-lock-hash"
  if [ ! -f "$anchors_stamp" ] || [ "$(cat "$anchors_stamp")" != "$anchors_lock" ]; then
    say "npm ci in $anchors (nodejs-polars for the data bench)"
    if (cd "$anchors" && npm ci --no-audit --no-fund --loglevel=error); then
      echo "$anchors_lock" > "$anchors_stamp"
    else
      say "note: nodejs-polars did not install in $anchors; the data bench will run without its Polars anchor."
    fi
  fi
fi
