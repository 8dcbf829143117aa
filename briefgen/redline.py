"""Redlines: what changed in a brief since the previous build, as a document of its own.

Two composed documents of the same variant are compared block by block, then word by word, and
the result is the new document with Inserted and Deleted inlines where words were added or
removed (a removed block comes back, its words Deleted, where it stood). Only content is
compared: page numbers, build dates and layout are not in the typed document, so they can
never show as changes. Citations compare by the sources they cite, not by their numbers.

The previous version is the content a build with --redline keeps beside its files
(output/<slug>/<slug>.content.yaml, see build.py), composed again with today's templates, so
a template change alone never shows as a change either.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import re
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import replace
from typing import TypeVar

from briefgen.document import (
    Block,
    Cell,
    Citation,
    Deleted,
    Document,
    Emphasis,
    Heading,
    Image,
    Inline,
    Inlines,
    Inserted,
    ItemList,
    LineBreak,
    Link,
    Paragraph,
    Part,
    Quote,
    Revision,
    Strong,
    Table,
    Text,
    block_inlines,
    inline_nodes,
    walk,
)

T = TypeVar("T")
_WORD = re.compile(r"\S+\s*|\s+")
# The formatting a word sits in, outermost first: ("strong",), ("em",), ("link", href).
Style = tuple[tuple[str, ...], ...]


def redline(old: Document, new: Document, author: str, since: dt.date, heading: str,
            summary: str) -> Document:
    """The new document with what changed since old marked, and its Revision set (author and
    date for Word's tracked changes). It opens with a box (a part of role "changes"): heading
    ("What changed since 3 March 2026") and summary (the fields that changed)."""
    box = Part("changes", [Paragraph((Strong((Text(heading),)),), "note"),
                           Paragraph((Text(summary),), "note")])
    # The title block is page furniture drawn from the meta, not blocks: a changed title or
    # subtitle is shown in the box, word by word.
    for before, after in ((old.meta.title, new.meta.title),
                          (old.meta.subtitle or "", new.meta.subtitle or "")):
        if before != after:
            box.blocks.append(Paragraph(diff_inlines((Text(before),), (Text(after),)), "note"))
    blocks = diff_blocks(old.blocks, new.blocks)
    return replace(new, blocks=[box, *blocks], revision=Revision(author, new.meta.date, since))


def changed(document: Document) -> bool:
    """Whether a redline marks anything at all (a brief rebuilt for its templates has none)."""
    return any(isinstance(node, Inserted | Deleted)
               for block in walk(document.blocks) for inlines in block_inlines(block)
               for node in inline_nodes(inlines))


# ---- Blocks ------------------------------------------------------------------------------


def _signature(block: Block) -> Hashable:
    """What two blocks must share to be the same block: parts by role, the rest by kind, role
    and words."""
    if isinstance(block, Part):
        return ("part", block.role)
    if isinstance(block, Paragraph):
        return ("p", block.role, _key(block.text))
    if isinstance(block, Heading):
        return ("h", block.level, _key(block.text))
    if isinstance(block, ItemList):
        return ("list", block.ordered, block.role, tuple(_key(i) for i in block.items))
    if isinstance(block, Table):
        return ("table", block.kind, block.role,
                tuple(tuple(_key(p.text) for c in row for p in c.blocks) for row in block.rows))
    if isinstance(block, Quote):
        return ("quote", _key(block.text), _key(block.attribution))
    if isinstance(block, Image):
        return ("image", block.alt, _key(block.caption))
    return (type(block).__name__,)  # contents and source lists: made anew from the rest


def _kind(block: Block) -> Hashable:
    """Blocks of the same kind can be compared word by word when they stand in the same place."""
    if isinstance(block, Part):
        return ("part", block.role)
    if isinstance(block, Paragraph):
        return ("p", block.role)
    if isinstance(block, Heading):
        return ("h", block.level)
    if isinstance(block, ItemList):
        return ("list", block.ordered, block.role)
    if isinstance(block, Table):
        return ("table", block.kind, block.role)
    return (type(block).__name__,)


def diff_blocks(old: list[Block], new: list[Block]) -> list[Block]:
    """The new blocks, changed words marked; removed blocks kept, their words Deleted."""
    out: list[Block] = []
    for tag, old_run, new_run in _align(old, new, _signature):
        if tag == "equal":
            out += [diff_block(o, n) if isinstance(n, Part) else n
                    for o, n in zip(old_run, new_run, strict=True)]
            continue
        for o, n in _pair(old_run, new_run, _kind):
            if o is not None and n is not None:
                out.append(diff_block(o, n))
            elif n is not None:
                out.append(_marked(n, Inserted))
            elif o is not None:
                out.append(_marked(o, Deleted))
    return out


def diff_block(old: Block, new: Block) -> Block:
    """Two blocks of the same kind in the same place, compared word by word."""
    if isinstance(old, Part) and isinstance(new, Part):
        return replace(new, blocks=diff_blocks(old.blocks, new.blocks))
    if isinstance(old, Heading) and isinstance(new, Heading):
        return replace(new, text=diff_inlines(old.text, new.text))
    if isinstance(old, Paragraph) and isinstance(new, Paragraph):
        return replace(new, text=diff_inlines(old.text, new.text))
    if isinstance(old, ItemList) and isinstance(new, ItemList):
        return replace(new, items=_diff_sequence(old.items, new.items, _key, diff_inlines,
                                                 lambda i, mark: (mark(i),)))
    if isinstance(old, Table) and isinstance(new, Table):
        return replace(new, rows=_diff_sequence(
            old.rows, new.rows, lambda row: tuple(_key(p.text) for c in row for p in c.blocks),
            _diff_row, lambda row, mark: [_mark_cell(c, mark) for c in row]))
    if isinstance(old, Quote) and isinstance(new, Quote):
        return replace(new, text=diff_inlines(old.text, new.text),
                       attribution=diff_inlines(old.attribution, new.attribution))
    if isinstance(old, Image) and isinstance(new, Image):
        return replace(new, caption=diff_inlines(old.caption, new.caption))
    return new


def _diff_row(old: list[Cell], new: list[Cell]) -> list[Cell]:
    out = []
    for index, cell in enumerate(new):
        before = old[index] if index < len(old) else None
        if before is None or len(before.blocks) != len(cell.blocks):
            out.append(_mark_cell(cell, lambda i: Inserted(i)))
            continue
        out.append(replace(cell, blocks=[replace(p, text=diff_inlines(o.text, p.text))
                                         for o, p in zip(before.blocks, cell.blocks,
                                                         strict=True)]))
    return out


def _mark_cell(cell: Cell, mark: Callable[[Inlines], Inline]) -> Cell:
    return replace(cell, blocks=[replace(p, text=(mark(p.text),) if p.text else ())
                                 for p in cell.blocks])


def _diff_sequence(old: list[T], new: list[T], key: Callable[[T], Hashable],
                   diff: Callable[[T, T], T],
                   mark: Callable[[T, Callable[[Inlines], Inline]], T]) -> list[T]:
    """Items (of a list, rows of a table) aligned, paired ones diffed, added ones Inserted and
    removed ones kept as Deleted where they stood."""
    out: list[T] = []
    for tag, old_run, new_run in _align(old, new, key):
        if tag == "equal":
            out += new_run
            continue
        for o, n in _pair(old_run, new_run, lambda _: 0):
            if o is not None and n is not None:
                out.append(diff(o, n))
            elif n is not None:
                out.append(mark(n, Inserted))
            elif o is not None:
                out.append(mark(o, Deleted))
    return out


def _marked(block: Block, mark: Callable[[Inlines], Inline]) -> Block:
    """A whole block added (Inserted) or removed (Deleted): every run of its words marked."""
    block = copy.deepcopy(block)

    def wrap(inlines: Inlines) -> Inlines:
        return (mark(inlines),) if inlines else ()

    if isinstance(block, Part):
        block.blocks = [_marked(b, mark) for b in block.blocks]
    elif isinstance(block, Heading | Paragraph):
        block.text = wrap(block.text)
    elif isinstance(block, ItemList):
        block.items = [wrap(i) for i in block.items]
    elif isinstance(block, Table):
        block.rows = [[_mark_cell(c, mark) for c in row] for row in block.rows]
    elif isinstance(block, Quote):
        block.text, block.attribution = wrap(block.text), wrap(block.attribution)
    elif isinstance(block, Image):
        block.caption = wrap(block.caption)
    return block


def _align(old: Sequence[T], new: Sequence[T], key: Callable[[T], Hashable]
           ) -> Iterator[tuple[str, list[T], list[T]]]:
    """difflib's opcodes over two sequences, compared by key."""
    matcher = difflib.SequenceMatcher(None, [key(x) for x in old], [key(x) for x in new],
                                      autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        yield tag, list(old[i1:i2]), list(new[j1:j2])


def _pair(old: list[T], new: list[T], kind: Callable[[T], Hashable]
          ) -> Iterator[tuple[T | None, T | None]]:
    """A changed stretch: an old and a new item of the same kind, in order, are the same item
    edited; an old one with no partner was removed, a new one added. Removed items come
    before added ones, where they stood."""
    matches: list[int | None] = []
    index = 0
    for item in new:
        match = next((k for k in range(index, len(old)) if kind(old[k]) == kind(item)), None)
        matches.append(match)
        index = match + 1 if match is not None else index
    done = 0
    for position, item in enumerate(new):
        match = matches[position]
        upto = match if match is not None else next(
            (m for m in matches[position:] if m is not None), len(old))
        for removed in old[done:upto]:
            yield removed, None
        done = max(done, upto)
        if match is None:
            yield None, item
        else:
            yield old[match], item
            done = match + 1
    for removed in old[done:]:
        yield removed, None


# ---- Words -------------------------------------------------------------------------------


def _tokens(inlines: Inlines, path: Style = ()) -> list[tuple[Hashable, Style, Inline | str]]:
    """Inline content as (key, formatting, piece): a word with the space after it, a
    citation, or a line break. Keys compare words without their spacing, citations by the
    sources they cite."""
    out: list[tuple[Hashable, Style, Inline | str]] = []
    for node in inlines:
        if isinstance(node, Text):
            out += [(("w", piece.strip(), path), path, piece)
                    for piece in _WORD.findall(node.text)]
        elif isinstance(node, Strong):
            out += _tokens(node.children, (*path, ("strong",)))
        elif isinstance(node, Emphasis):
            out += _tokens(node.children, (*path, ("em",)))
        elif isinstance(node, Link):
            out += _tokens(node.children, (*path, ("link", node.href)))
        elif isinstance(node, Inserted | Deleted):
            out += _tokens(node.children, path)
        elif isinstance(node, Citation):
            out.append((("cite", node.ids, path), path, node))
        elif isinstance(node, LineBreak):
            out.append((("br", path), path, node))
    return out


def _key(inlines: Inlines) -> Hashable:
    return tuple(key for key, _, _ in _tokens(inlines))


def diff_inlines(old: Inlines, new: Inlines) -> Inlines:
    """New inline content with the words added since old Inserted and the words removed
    Deleted, in place; formatting kept on both."""
    before, after = _tokens(old), _tokens(new)
    matcher = difflib.SequenceMatcher(None, [t[0] for t in before], [t[0] for t in after],
                                      autojunk=False)
    marked: list[tuple[str, Style, Inline | str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            marked += [("", path, piece) for _, path, piece in after[j1:j2]]
            continue
        removed = [("del", path, piece) for _, path, piece in before[i1:i2]]
        added = [("ins", path, piece) for _, path, piece in after[j1:j2]]
        if removed and added:  # "old new": a space between the removed and the added words
            piece = removed[-1][2]
            if isinstance(piece, str) and piece == piece.rstrip() and isinstance(added[0][2],
                                                                                str):
                removed.append(("del", (), " "))
        marked += removed + added
    return _rebuild(marked)


def _rebuild(marked: list[tuple[str, Style, Inline | str]]) -> Inlines:
    """Tokens back into inline nodes: runs of one status become one Inserted or Deleted, and
    inside them runs of one formatting one nested Strong/Emphasis/Link."""
    out: list[Inline] = []
    index = 0
    while index < len(marked):
        status = marked[index][0]
        end = index
        while end < len(marked) and marked[end][0] == status:
            end += 1
        nodes = _formatted([(path, piece) for _, path, piece in marked[index:end]])
        if not status:
            out += nodes
            index = end
            continue
        space = ""  # the space after the last changed word is not itself a change
        last = nodes[-1] if nodes else None
        if isinstance(last, Text) and last.text != last.text.rstrip():
            space = last.text[len(last.text.rstrip()):]
            nodes = (*nodes[:-1], *((Text(last.text.rstrip()),) if last.text.strip() else ()))
        out.append(Inserted(nodes) if status == "ins" else Deleted(nodes))
        if space:
            out.append(Text(space))
        index = end
    return tuple(out)


def _formatted(pieces: list[tuple[Style, Inline | str]], depth: int = 0) -> Inlines:
    out: list[Inline] = []
    index = 0
    while index < len(pieces):
        path, piece = pieces[index]
        if len(path) > depth:
            outer = path[depth]
            end = index
            while end < len(pieces) and len(pieces[end][0]) > depth and (
                    pieces[end][0][depth] == outer):
                end += 1
            inner = _formatted(pieces[index:end], depth + 1)
            out.append(Strong(inner) if outer[0] == "strong" else Emphasis(inner)
                       if outer[0] == "em" else Link(outer[1], inner))
            index = end
            continue
        if isinstance(piece, str):
            if out and isinstance(out[-1], Text):
                out[-1] = Text(out[-1].text + piece)
            else:
                out.append(Text(piece))
        else:
            out.append(piece)
        index += 1
    return tuple(out)
