# Sourced by the benchmarks: sets `bin` to the release binary, built from this
# tree unless ICBT_BIN names one built earlier (say, of another commit), and
# `built` to where it came from.
if [ -z "${ICBT_BIN:-}" ]; then
  cargo build --release --quiet
  target="${CARGO_TARGET_DIR:-target}"
  [[ "$target" = /* ]] || target="$PWD/$target"
  ICBT_BIN="$target/release/icbt"
  built="at $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  [ -z "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] || built="$built+changes"
else
  built="from $ICBT_BIN"
fi
bin="$ICBT_BIN"
