"""Put the previous weekly build back into the output folder, so this build is incremental.

    .venv/bin/python scripts/restore-previous-build.py PREVIOUS OUT [--shard K/N] [--manifest-only]

PREVIOUS is the previous run's published folder (its `weekly-briefs` artifact, downloaded), or a
folder that does not exist when there is none. For one shard, the manifest entries of the
briefs that shard builds are written as OUT/manifest.shard-K-of-N.json and their files copied
beside it; `briefgen build --shard K/N` then rebuilds only what changed. With --manifest-only
(the job that joins the shards) only PREVIOUS/manifest.json is copied, so `briefgen
merge-manifests` reports what changed since the previous published build.

A file is restored only when its bytes are the ones the manifest records, and only from inside
PREVIOUS to inside OUT; a brief with a file missing or different is left out, so it is built
again. Every line printed says what was restored, or that there was no previous build.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
from pathlib import Path

from briefgen.corpus import in_shard, manifest_name
from briefgen.manifest import MANIFEST, BriefEntry, Manifest, load_manifest, manifest_json


def main(argv: list[str] | None = None) -> int:
    """Restore what the arguments ask for; exit 0 even with nothing to restore (a first run)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("previous", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--shard", type=shard, metavar="K/N")
    parser.add_argument("--manifest-only", action="store_true")
    args = parser.parse_args(argv)
    source = args.previous / MANIFEST
    if not source.is_file():
        print(f"no previous build ({source} not found): every brief is built")
        return 0
    try:
        previous = load_manifest(source, print)  # a bad entry is said and left out
    except (OSError, ValueError) as exc:
        print(f"no previous build: {exc}; every brief is built")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    if args.manifest_only:
        shutil.copyfile(source, args.out / MANIFEST)
        print(f"restored the previous manifest ({len(previous.briefs)} briefs, built "
              f"{previous.build_date or 'on an unknown date'}) -> {args.out / MANIFEST}")
        return 0
    entries = [entry for entry in previous.briefs if in_shard(entry.slug, args.shard)]
    restored = [entry for entry in entries if restore_files(entry, args.previous, args.out)]
    target = args.out / manifest_name(args.shard)
    target.write_bytes(manifest_json(Manifest(restored)))
    part = f" for shard {args.shard[0]}/{args.shard[1]}" if args.shard else ""
    print(f"restored the previous build of {previous.build_date or 'an unknown date'}{part}: "
          f"{len(restored)} of {len(entries)} briefs, "
          f"{sum(len(e.files) for e in restored)} files -> {target}")
    for entry in entries:
        print(f"  {'restored' if entry in restored else 'not restored (will be built)'} "
              f"{entry.slug}")
    return 0


def shard(value: str) -> tuple[int, int]:
    """K/N, as `briefgen build --shard` takes it."""
    try:
        part, parts = (int(x) for x in value.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not K/N, e.g. 2/4") from None
    if not 1 <= part <= parts:
        raise argparse.ArgumentTypeError(f"{value!r}: K must be between 1 and N")
    return part, parts


def restore_files(entry: BriefEntry, previous: Path, out: Path) -> bool:
    """Copy a brief's recorded files from previous to out; False (nothing copied) unless every
    one is inside both folders and has the recorded size and sha256."""
    pairs = []
    for f in entry.files:
        source, target = previous / f.path, out / f.path
        if not (inside(source, previous) and inside(target, out) and source.is_file()):
            return False
        data = source.read_bytes()
        if len(data) != f.size or hashlib.sha256(data).hexdigest() != f.sha256:
            return False
        pairs.append((data, target))
    for data, target in pairs:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return bool(pairs)


def inside(path: Path, root: Path) -> bool:
    """Whether path stays inside root once resolved (no .., no absolute path, no symlink out)."""
    return path.resolve().is_relative_to(root.resolve())


if __name__ == "__main__":
    sys.exit(main())
