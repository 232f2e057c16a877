# Shared by the dev/bin scripts (sourced, never run): where things live and how the
# Python environment is made. Sourcing scripts set `root` first.

# PgBouncer refuses to run as root, so a root caller runs it as 'postgres', who may not be
# able to traverse the checkout's parents (a home folder is mode 700). Its runtime files
# then live in a machine-wide runtime directory instead; an ordinary user keeps them in
# the checkout. There is one PgBouncer per machine (port 6432), whichever checkout started it.
runtime_dir() {
    if [[ $(id -u) == 0 ]]; then echo /run/platform-dev; else echo "$root/.local"; fi
}
pgbouncer_dir() { echo "$(runtime_dir)/pgbouncer"; }
# The project's Mosquitto (password file + ACL), one per machine like PgBouncer.
mosquitto_port=1884
mosquitto_dir() { echo "$(runtime_dir)/mosquitto"; }

# as_root <command...>: run a command as root (directly when root already, else with sudo).
as_root() { if [[ $(id -u) == 0 ]]; then "$@"; else sudo "$@"; fi; }

# ensure_venv: uv (installed with pip if missing), then `uv sync --frozen`. Every entry
# point that runs project code calls it, so a fresh clone needs no other set-up step.
ensure_venv() {
    # A previous run may have installed uv with `pip --user`, outside the caller's PATH.
    if ! command -v uv >/dev/null && [[ -x $HOME/.local/bin/uv ]]; then export PATH="$HOME/.local/bin:$PATH"; fi
    if ! command -v uv >/dev/null && ! python3 -m pip --version >/dev/null 2>&1; then
        printf '[setup] neither uv nor pip found: installing python3-pip\n'
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-pip
    fi
    if ! command -v uv >/dev/null; then
        printf '[setup] uv not found: installing it with pip\n'
        python3 -m pip install --user --quiet uv \
            || python3 -m pip install --user --quiet --break-system-packages uv
        export PATH="$HOME/.local/bin:$PATH"
        command -v uv >/dev/null || { echo "[setup] ERROR: uv still not on PATH after pip install" >&2; exit 1; }
    fi
    printf '[setup] uv sync --frozen\n'
    (cd "$root" && uv sync --frozen --quiet)
}
