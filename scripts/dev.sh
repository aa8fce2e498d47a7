#!/usr/bin/env bash
# Developer and CI entry points for directus_orm.
#
#   scripts/dev.sh setup          venv (.cache/venv) + dev deps, pyright (npm), Node 22 + Directus
#   scripts/dev.sh test [ARGS]    setup, ruff, mypy --strict, pyright (tests/typing), mkdocs, pytest ARGS,
#                                 then the smoke subset on the other (version, database) cells
#   scripts/dev.sh matrix [ARGS]  setup, the integration suite on every (version, database) cell
#   scripts/dev.sh demo           setup, a Directus keeping its data in .cache/demo: seed_demo.py,
#                                 quickstart.py
#   scripts/dev.sh bench [ARGS]   setup, python bench/run.py ARGS
#
# Everything installed lives in .cache (or $DIRECTUS_ORM_CACHE); nothing is needed beforehand
# except python3 (3.10+), npm and the package registries (PyPI, npm).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
CACHE="${DIRECTUS_ORM_CACHE:-$ROOT/.cache}"
# The local server harness (python -m directus_orm.localserver) caches here too.
export DIRECTUS_ORM_CACHE="$CACHE"
VENV="$CACHE/venv"
PY="$VENV/bin/python"
BASE_PYTHON="${PYTHON:-python3}"
PYRIGHT_VERSION="1.1.414"
PYRIGHT_DIR="$CACHE/pyright"
PYRIGHT="$PYRIGHT_DIR/node_modules/pyright/index.js"
NODE_BIN_DIR=""
# The test matrix: Directus versions x databases. The first cell is the default one, which
# `test` runs in full; the others get the smoke subset there and everything in `matrix`.
# (12.4.1 cannot be installed: its dependency @directus/app@18.0.1 is missing from npm.)
MATRIX_CELLS=("12.4.0 sqlite" "12.4.0 postgres" "11.17.4 sqlite" "11.17.4 postgres")
LOCALSERVER=(-m directus_orm.localserver)

log() { printf '[dev.sh] %s\n' "$*" >&2; }

setup() {
  mkdir -p "$CACHE"
  if [[ ! -x "$PY" ]]; then
    log "creating virtualenv $VENV"
    "$BASE_PYTHON" -m venv "$VENV"
  fi
  local stamp="$VENV/.pyproject.sha256" want
  want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
  if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
    log "installing -e '.[dev]' into $VENV (pyproject.toml changed)"
    "$PY" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$PY" -m pip install --quiet --disable-pip-version-check -e '.[dev]'
    printf '%s\n' "$want" >"$stamp"
  fi

  # Node 22 (npm package) + directus@12.4.0 + the bootstrapped template database.
  "$PY" "${LOCALSERVER[@]}" install >/dev/null
  NODE_BIN_DIR="$("$PY" "${LOCALSERVER[@]}" node-bin)"

  # pyright from npm, run with the cached Node 22 (the PyPI wrapper would download Node).
  if [[ "$(cat "$PYRIGHT_DIR/.version" 2>/dev/null || true)" != "$PYRIGHT_VERSION" \
        || ! -f "$PYRIGHT" ]]; then
    log "installing pyright@$PYRIGHT_VERSION into $PYRIGHT_DIR"
    mkdir -p "$PYRIGHT_DIR"
    [[ -f "$PYRIGHT_DIR/package.json" ]] \
      || printf '{"name":"directus-orm-pyright","private":true}\n' >"$PYRIGHT_DIR/package.json"
    "$PY" "${LOCALSERVER[@]}" npm -- install --prefix "$PYRIGHT_DIR" \
      --no-audit --no-fund --save-exact --loglevel=error "pyright@$PYRIGHT_VERSION"
    printf '%s\n' "$PYRIGHT_VERSION" >"$PYRIGHT_DIR/.version"
  fi
}

run_tests() {
  setup
  export PATH="$VENV/bin:$PATH"
  local failed=() rc
  step() {
    local name="$1"
    shift
    log "==> $name: $*"
    rc=0
    "$@" || rc=$?
    if ((rc != 0)); then
      log "<== $name FAILED (exit $rc)"
      failed+=("$name")
    fi
  }
  step ruff ruff check .
  step mypy mypy --strict directus_orm
  step import-layers lint-imports
  # The assert_type files: both checkers must agree on every inferred type.
  step mypy-typing mypy --strict tests/typing
  step pyright "$NODE_BIN_DIR/node" "$PYRIGHT" --pythonpath "$PY" -p tests/typing
  # The documentation site (mkdocs.yml): no broken link, every public name in the API reference.
  step docs env NO_MKDOCS_2_WARNING=1 mkdocs build --strict --quiet
  # pytest's exit code 5 ("no tests collected") is a failure here too.
  step pytest python -m pytest "$@"
  # The compatibility smoke subset on the other cells (installs each Directus once, cached).
  local cell version db
  for cell in "${MATRIX_CELLS[@]:1}"; do
    read -r version db <<<"$cell"
    step "smoke-$version-$db" env DIRECTUS_VERSION="$version" DIRECTUS_DB="$db" \
      python -m pytest -q -m smoke tests/integration
  done
  if ((${#failed[@]} != 0)); then
    log "FAILED steps: ${failed[*]}"
    return 1
  fi
  log "all checks passed"
}

run_matrix() {
  setup
  export PATH="$VENV/bin:$PATH"
  local cell version db failed=()
  for cell in "${MATRIX_CELLS[@]}"; do
    read -r version db <<<"$cell"
    log "==> integration suite on Directus $version / $db"
    DIRECTUS_VERSION="$version" DIRECTUS_DB="$db" python -m pytest -q tests/integration "$@" \
      || failed+=("$version/$db")
  done
  if ((${#failed[@]} != 0)); then
    log "FAILED cells: ${failed[*]}"
    return 1
  fi
  log "matrix passed: ${MATRIX_CELLS[*]}"
}

demo() {
  setup
  export PATH="$VENV/bin:$PATH"
  # One server for both scripts: seed_demo.py creates the schema and data, quickstart.py uses it.
  # Its database stays in .cache/demo: `directus-orm serve --data .cache/demo` brings it back.
  python "${LOCALSERVER[@]}" run --data "$CACHE/demo" -- \
    bash -c 'python examples/seed_demo.py && python examples/quickstart.py'
}

bench() {
  setup
  export PATH="$VENV/bin:$PATH"
  python bench/run.py "$@"
}

usage() {
  sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

cmd="${1:-}"
[[ $# -gt 0 ]] && shift
case "$cmd" in
  setup) setup "$@" ;;
  test) run_tests "$@" ;;
  matrix) run_matrix "$@" ;;
  demo) demo "$@" ;;
  bench) bench "$@" ;;
  *) usage ;;
esac
