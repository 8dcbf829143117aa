# Shared by scripts/setup and scripts/setup-tests (sourced, not run): install what is missing,
# and nothing when everything already is, so both are safe to run again.

# install_debian PACKAGE...: apt-get install the packages not installed yet (as root, or sudo).
install_debian() {
  local missing=() pkg sudo=""
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  echo "$(basename "$0"): installing Debian packages: ${missing[*]}"
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# install_venv SPEC STAMP: pip install -e SPEC into .venv, again only when pyproject.toml changed
# since STAMP was written.
install_venv() {
  local spec=$1 stamp=$2 want
  want=$(sha256sum pyproject.toml | cut -d' ' -f1)
  [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] || return 0
  echo "$(basename "$0"): installing briefgen ($spec) into .venv"
  .venv/bin/python -m pip install -q --upgrade pip 2>/dev/null
  .venv/bin/python -m pip install -q -e "$spec" 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/python -c "import briefgen, weasyprint, docx" # fail loudly if the install did not take
  echo "$want" > "$stamp"
}
