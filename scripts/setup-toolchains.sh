#!/usr/bin/env bash
# Installs the Debian packages mliflow's boards build with; safe to run again (skips what is there).
#   bash scripts/setup-toolchains.sh             install what is missing
#   bash scripts/setup-toolchains.sh --dry-run   say what would be installed, change nothing
# Runs apt-get directly as root, through sudo otherwise; `apt-get update` only when a package
# is unknown to apt. Exits 3 when the tools cannot be installed (the CLI's "missing tool").
set -euo pipefail

# package:tool-it-provides, one per board need (boards/*/board.json names the same packages).
PACKAGES=(
  "gcc:gcc"                              # host board compiler
  "libc6-dev:"                           # host libc headers (gcc only recommends it)
  "make:make"                            # every generated project has a Makefile
  "gcc-arc-linux-gnu:arc-linux-gnu-gcc"  # emsdp board: EM compile check and size report (brings binutils-arc-linux-gnu)
  "valgrind:valgrind"                    # host runs under memcheck
  "openocd:openocd"                      # emsdp board: loads app.elf over JTAG (with arc-elf32-gdb from the ARC GNU toolchain)
  # Later boards:
  # "gcc-arm-none-eabi:arm-none-eabi-gcc"      # emulated Cortex-M board
  # "qemu-system-arm:qemu-system-arm"          # emulated Cortex-M board
)

dry_run=0
for arg in "$@"; do
  case "$arg" in
    --dry-run) dry_run=1 ;;
    -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup-toolchains.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

say() { printf 'setup-toolchains: %s\n' "$*"; }

installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }

missing=()
for entry in "${PACKAGES[@]}"; do
  pkg=${entry%%:*}
  tool=${entry#*:}
  if command -v dpkg-query >/dev/null 2>&1 && installed "$pkg"; then
    say "$pkg: installed"
  elif ! command -v dpkg-query >/dev/null 2>&1 && [ -n "$tool" ] && command -v "$tool" >/dev/null 2>&1; then
    say "$pkg: $tool found on PATH"
  else
    say "$pkg: missing"
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  say "nothing to install"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  say "apt-get is not available here; install these yourself:" >&2
  for entry in "${PACKAGES[@]}"; do
    pkg=${entry%%:*}; tool=${entry#*:}
    for m in "${missing[@]}"; do
      [ "$m" = "$pkg" ] && printf '  %-20s %s\n' "$pkg" "${tool:+(provides $tool)}" >&2
    done
  done
  say "(Debian package names; arc-linux-gnu-gcc is the ARC cross compiler, gcc-arc-linux-gnu on Debian and Ubuntu)" >&2
  exit 3
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  say "not root and no sudo: run as root: apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 3
fi

run() {
  say "+ $*"
  [ "$dry_run" = 1 ] || "$@"
}

# Update the package lists only if apt does not know a package we need.
need_update=0
for pkg in "${missing[@]}"; do
  if ! apt-cache show "$pkg" >/dev/null 2>&1; then need_update=1; fi
done
if [ "$need_update" = 1 ]; then
  run ${as_root[@]+"${as_root[@]}"} apt-get update
fi

export DEBIAN_FRONTEND=noninteractive
run ${as_root[@]+"${as_root[@]}"} apt-get install -y --no-install-recommends "${missing[@]}"

[ "$dry_run" = 1 ] && exit 0
status=0
for entry in "${PACKAGES[@]}"; do
  tool=${entry#*:}
  if [ -n "$tool" ] && ! command -v "$tool" >/dev/null 2>&1; then
    say "$tool is still missing after the install" >&2
    status=3
  fi
done
[ "$status" = 0 ] && say "done: ${missing[*]}"
exit "$status"
