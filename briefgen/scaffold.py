"""`briefgen new`: a brief with every field present and a comment on each, valid as written.

Editors learn the format by editing a brief that already builds, rather than from a manual.
The first line points editors' YAML tooling at the JSON Schema, so fields autocomplete and are
checked while typing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SCHEMA_LINE = "# yaml-language-server: $schema=../schema/brief.schema.json"


def clean_title(title: str) -> str:
    """A title typed on the command line as one line of text a brief can hold: every run of
    spaces and line breaks (\\n, U+2028, U+2029, tabs) becomes one space, since YAML reads a line
    separator as a break. ValueError for what no brief may hold (control characters, bytes
    that are not text)."""
    text = " ".join(title.split())
    bad = next((c for c in text if unicodedata.category(c) in ("Cc", "Cs")
                or c in "\ufffe\uffff"), None)
    if bad is not None:
        raise ValueError(f"contains the character U+{ord(bad):04X}, which a brief cannot hold")
    if not text:
        raise ValueError("is empty")
    return text


def new_brief(title: str, organisation: str, today: dt.date) -> str:
    """The text of a new brief: every field, a comment on each, and content that builds.
    The title is cleaned first (clean_title), so whatever was typed, the brief passes check."""
    title = clean_title(title)
    date = today.isoformat()
    return f"""{SCHEMA_LINE}
# A new brief. Replace the example text; `briefgen check` says what is wrong, by line.
title: {json.dumps(title, ensure_ascii=False)}
subtitle: The question this brief answers, in one line   # optional
date: {date}                 # publication date, YYYY-MM-DD
reviewed: {date}             # when the facts were last checked; `check` warns when stale
language: en                     # labels and dates follow it (en, ru)
classification: UNCLASSIFIED     # printed on every page
organisation: {json.dumps(organisation, ensure_ascii=False)}
authors: [Your Name]
keywords: [topic, region]        # optional; document properties and search

# The bottom line, up front: two or three sentences. Cite sources as [@id].
summary: >
  State the one thing the reader must know [@example-source]. **Our assessment:** say what
  it means for the reader.

key_points:                      # three to six, each a sentence or two
  - The first thing a reader should remember [@example-source].
  - The second one.
  - The third one.

figures:                         # optional: numbers worth a card (full analysis)
  - value: "42%"
    label: What the number measures
    source: example-source

charts:                          # optional: drawn from data; SVG in the PDF, a Word chart
  - id: example-chart            # a section body shows it with a ```chart example-chart block
    type: column                 # column, bar, line, stacked-column or stacked-bar
    title: What the chart shows
    units: "%"
    category_axis: Year
    value_axis: Share (%)
    source: example-source
    alt: Say what the chart shows and the numbers that matter, for readers who cannot see it.
    highlight: ["{today.year}"]        # series or categories, in the accent colour
    categories: ["{today.year - 2}", "{today.year - 1}", "{today.year}"]  # or csv: a file
    series:
      - name: Share
        values: [12, 18, 25]

sections:                        # paragraphs, "- " lists, "### " subheadings, ![alt](image.png)
  - heading: What happened
    body: |
      Tell the story in a few short paragraphs [@example-source].

      - A list item, if a list helps.
      - Another item.

      ### A subheading
      More text.

quotes:                          # optional: short attributed quotations
  - text: The exact words, without quotation marks
    speaker: Name of the speaker
    role: Their office
    source: example-source

timeline:                        # optional: in date order; YYYY, YYYY-MM or YYYY-MM-DD
  - date: {today.year - 1}
    event: Something that happened last year.
  - date: {date}
    event: Something that happened today.

actors:                          # optional: who matters and where they stand
  - name: An actor
    role: What they are
    stance: What they want

outlook:                         # what to watch next
  - A development to watch.

recommendations:                 # optional: what the reader should do
  - A concrete recommendation.

sources:                         # every document cited, by id
  - id: example-source
    title: Title of the document
    publisher: Who published it
    url: https://example.org/
    date: {date}
"""
