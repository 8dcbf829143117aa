"""`briefgen init`: the files an organisation's own content repository starts with.

briefgen is installed like any tool and the briefs live in a repository of their own; this
writes what such a repository needs so that `briefgen build` works in it at once.
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
from pathlib import Path

from briefgen import __version__
from briefgen.config import commented_settings
from briefgen.reference import json_schema
from briefgen.scaffold import new_brief

EXAMPLE = Path("content") / "example-brief.yaml"
WORKFLOW = Path(".github") / "workflows" / "weekly-briefs.yml"
GITIGNORE = "# Built by `briefgen build` from content/; never committed.\n/output/\n"


def starter_files(organisation: str, today: dt.date) -> dict[Path, bytes]:
    """Every file of a new project, by path relative to its folder: one example brief (the
    scaffold of `briefgen new`), briefgen.yaml with every setting commented, a .gitignore for
    output/, the weekly workflow and the JSON Schema the brief's first line points editors at.
    """
    from briefgen.project import bundled_templates
    from briefgen.theme import Theme

    workflow = (importlib.resources.files("briefgen") / "skeleton" / "weekly-briefs.yml")
    budgets = {name: v.page_budget for name, v in Theme([bundled_templates()]).variants.items()}
    return {
        EXAMPLE: new_brief("An example brief", organisation, today).encode(),
        Path("briefgen.yaml"): commented_settings(budgets).encode(),
        Path(".gitignore"): GITIGNORE.encode(),
        WORKFLOW: workflow.read_text(encoding="utf-8").replace("__VERSION__", __version__)
        .encode(),
        Path("schema") / "brief.schema.json": json_schema().encode(),
    }
