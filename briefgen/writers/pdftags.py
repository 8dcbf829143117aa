"""What WeasyPrint's tagged PDF leaves out, added before the file is written.

WeasyPrint builds the structure tree from the page's HTML, but its table header cells carry an
/ID and no /Scope (PDF/UA checkers warn on each table), its structure elements carry no /Lang
(a quotation in another language is read in the brief's voice), and the text of the page
furniture (running title, marking, page numbers, letterhead: CSS @page margin boxes) is marked
as content of structure elements that hang from nothing instead of as artifacts. `finish` runs
as WeasyPrint's finisher, on its objects before they are written, so the file stays one
WeasyPrint wrote in one pass: valid, tagged and byte for byte the same for the same input.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any, TypeAlias

import pydyf

Element: TypeAlias = dict[str, Any]  # a pydyf.Dictionary: a dict of PDF objects


def finish(document: Any, pdf: pydyf.PDF) -> None:
    """Add /Scope to header cells, /Lang to quotations, and make page furniture artifacts."""
    if "StructTreeRoot" not in pdf.catalog:
        return
    tree = _Tree(pdf)
    for element, parent in tree.elements():
        if element["S"] == "/TH":
            element["A"]["Scope"] = _scope(tree, parent)
    _add_languages(document, tree)
    _furniture_as_artifacts(pdf, tree)


class _Tree:
    """The structure tree as WeasyPrint left it: objects by reference, elements in order."""

    def __init__(self, pdf: pydyf.PDF) -> None:
        self.pdf = pdf
        self.root: Element = self.get(pdf.catalog["StructTreeRoot"])
        self.pages = {ref: i for i, ref in enumerate(pdf.page_references)}

    def get(self, reference: bytes) -> Any:
        return self.pdf.objects[int(reference.split()[0])]

    def kids(self, element: Element) -> Iterator[Any]:
        """The kids of an element: structure elements (dereferenced) and MCIDs (ints)."""
        for kid in element.get("K", ()):
            yield self.get(kid) if isinstance(kid, bytes) else kid

    def elements(self) -> Iterator[tuple[Element, Element]]:
        """Every structure element reachable from the root, depth first in reading order, with
        its parent."""
        stack = [(kid, self.root) for kid in reversed(list(self.kids(self.root)))]
        while stack:
            element, parent = stack.pop()
            if not isinstance(element, pydyf.Dictionary) or element.get("Type") != "/StructElem":
                continue
            yield element, parent
            stack.extend((kid, element) for kid in reversed(list(self.kids(element))))


def _scope(tree: _Tree, row: Element) -> str:
    """A header cell names its column in a header row (all header cells, or in THead), and
    its row otherwise; the same rule HTML applies to a <th> without scope."""
    group = tree.get(row["P"]) if "P" in row else None
    kinds = {kid["S"] for kid in tree.kids(row) if isinstance(kid, pydyf.Dictionary)}
    if (group is not None and group.get("S") == "/THead") or kinds == {"/TH"}:
        return "/Column"
    return "/Row"


def _boxes(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", ()):
        yield from _boxes(child)


def _add_languages(document: Any, tree: _Tree) -> None:
    """Each quotation whose element has a lang attribute gets it as /Lang. WeasyPrint makes one
    /BlockQuote per page a quotation is laid out on, in the order of the page's boxes: the two
    are paired page by page."""
    quotes: dict[int, list[Element]] = defaultdict(list)
    for element, _ in tree.elements():
        if element["S"] == "/BlockQuote" and "Pg" in element:
            quotes[tree.pages[element["Pg"]]].append(element)
    for number, page in enumerate(document.pages):
        langs = [box.element.get("lang") for box in _boxes(page._page_box)
                 if getattr(box, "element_tag", None) == "blockquote"]
        for element, lang in zip(quotes[number], langs, strict=False):
            if lang:
                element["Lang"] = pydyf.String(lang)


def _furniture_as_artifacts(pdf: pydyf.PDF, tree: _Tree) -> None:
    """Marked content that belongs to no element of the tree (the margin boxes' text, which
    WeasyPrint hangs from nothing) becomes a pagination artifact, and leaves the parent tree."""
    reachable = {id(element) for element, _ in tree.elements()}
    nums = tree.get(tree.root["ParentTree"])["Nums"]
    for key, value in zip(nums[::2], nums[1::2], strict=True):
        if not isinstance(value, pydyf.Array) or key >= len(pdf.page_references):
            continue  # an annotation's entry, or not a page's
        orphans = {mcid for mcid, ref in enumerate(value)
                   if isinstance(ref, bytes) and id(tree.get(ref)) not in reachable}
        if not orphans:
            continue
        page = tree.get(pdf.page_references[key])
        stream = tree.get(page["Contents"]).stream
        for i, item in enumerate(stream):
            if (isinstance(item, pydyf.Dictionary) and item.get("MCID") in orphans
                    and i + 1 < len(stream) and stream[i + 1] == b"BDC"):
                value[item["MCID"]] = "null"
                stream[i - 1] = "/Artifact"
                stream[i] = pydyf.Dictionary({"Type": "/Pagination"})
