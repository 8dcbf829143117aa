"""`python -m briefgen`: the same command line as the `briefgen` script, for when the script is
not on PATH (a venv not activated, `pipx run`, CI)."""

from briefgen.cli import main

main(prog_name="briefgen")
