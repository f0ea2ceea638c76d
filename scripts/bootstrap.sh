# Sourced by scripts/run and scripts/test: makes (or reuses) the Python environment and the front end.
# The virtual environment lives outside the checkout, keyed on the dependency list, so every clone
# with the same dependencies reuses it (installing torch takes minutes and gigabytes).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
KEY="$(cat "$ROOT/pyproject.toml" "$ROOT/scripts/bootstrap.sh" | sha256sum | cut -c1-16)"
VENV="${TRANSPLANT_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/transplant-studio/venv-$KEY}"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

ensure_python_env() {
    if [ ! -f "$VENV/.complete" ]; then
        say "Creating the Python environment in $VENV (first time only: a few minutes)"
        rm -rf "$VENV"
        "$PYTHON" -m venv "$VENV"
        "$VENV/bin/pip" install -q --upgrade pip
        "$VENV/bin/python" "$ROOT/scripts/requirements.py" "$ROOT/pyproject.toml" web test > "$VENV/requirements.txt"
        "$VENV/bin/pip" install -q -r "$VENV/requirements.txt"
        # animal-mnist declares TensorFlow, which it does not need: install it without dependencies.
        "$VENV/bin/pip" install -q --no-deps animal-mnist==0.4
        touch "$VENV/.complete"
    fi
    # Point the editable install at this checkout (cheap; the dependencies are already there).
    if ! "$VENV/bin/pip" install -q --no-deps --no-build-isolation -e "$ROOT" >"$VENV/editable.log" 2>&1; then
        cat "$VENV/editable.log" >&2
        exit 1
    fi
    export PATH="$VENV/bin:$PATH"
}

ensure_frontend() {
    if ! command -v npm >/dev/null; then
        echo "npm is missing: install Node.js 20 or newer (https://nodejs.org) and run this again" >&2
        exit 1
    fi
    local stamp="$ROOT/frontend/dist/.built-from"
    local source_key
    source_key="$(cd "$ROOT/frontend" && find . -path ./node_modules -prune -o -path ./dist -prune -o -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$source_key" ]; then
        return
    fi
    say "Building the front end"
    (cd "$ROOT/frontend" && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent)
    echo "$source_key" > "$stamp"
}
