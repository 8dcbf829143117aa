"""The content format's JSON Schema and Markdown reference, both generated from the model.

Run ``python -m briefgen.reference`` after changing briefgen/model.py; a test fails while the
committed files differ from what the model says.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from briefgen.model import Brief

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = ROOT / "schema" / "brief.schema.json"
DOCS_PATH = ROOT / "docs" / "content-format.md"


def json_schema() -> str:
    """The JSON Schema editors' YAML plugins validate against while typing."""
    schema = Brief.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "briefgen brief"
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def markdown_reference() -> str:
    """A table per part of a brief: key, type, required, meaning."""
    schema = Brief.model_json_schema()
    defs = schema.get("$defs", {})
    lines = [
        "# Content format reference",
        "",
        "Generated from `briefgen/model.py` by `python -m briefgen.reference`; do not edit.",
        "Fields marked Markdown accept **bold**, *italic*, [links](https://example.org) and",
        "citation markers such as `[@unodc-2023]`.",
        "",
    ]
    parts = [("Brief (top level)", schema)] + [(name, defs[name]) for name in sorted(defs)]
    for name, part in parts:
        lines += [f"## {name}", "", part.get("description", "").strip(), ""]
        lines += ["| key | type | required | meaning |", "|---|---|---|---|"]
        required = set(part.get("required", []))
        for key, prop in part.get("properties", {}).items():
            kind = _type_name(prop)
            need = "yes" if key in required else "no"
            lines.append(f"| `{key}` | {kind} | {need} | {prop.get('description', '')} |")
        lines.append("")
    return "\n".join(lines)


def _type_name(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        return prop["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in prop:
        return " or ".join(_type_name(p) for p in prop["anyOf"] if p.get("type") != "null")
    if prop.get("type") == "array":
        return f"list of {_type_name(prop.get('items', {}))}"
    if prop.get("contentMediaType") == "text/markdown":
        return "Markdown"
    if prop.get("format") == "date":
        return "date (YYYY-MM-DD)"
    if "examples" in prop:
        return "date (YYYY, YYYY-MM or YYYY-MM-DD)"
    return prop.get("type", "any")


def main() -> None:
    """Rewrite the generated files from the model."""
    for path, text in ((SCHEMA_PATH, json_schema()), (DOCS_PATH, markdown_reference())):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
