"""Event dictionaries: zstd dictionaries trained on a project's own events (`event_dictionaries`).

Events of one project repeat most of their bytes: the SDK's context, the modules list, request headers, the
same frames. Compressed alone, a ~10 KiB event keeps a third of its size; with a dictionary trained on ~200 of
the project's events, a tenth, and zstd compresses it ~3x faster. The digest trains and stores them
(heron.digest.dictionaries); every reader of event bodies decodes them here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import zstandard
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from heron.store.bodies import body_dictionary_id, decompress_json, dictionary_decompressor, stored_dictionary
from heron.store.models import EventDictionary


def add_dictionary(session: Session, project_id: int, data: bytes, ratio: float) -> int:
    """Store a trained dictionary for the project; returns its id, which new bodies will name."""
    row = EventDictionary(project_id=project_id, data=data, ratio=ratio)
    session.add(row)
    session.flush()
    return row.id


def latest_dictionary_ids(session: Session, project_ids: Iterable[int]) -> dict[int, int]:
    """Each project's newest dictionary (projects without one are absent)."""
    statement = (
        select(EventDictionary.project_id, func.max(EventDictionary.id))
        .where(EventDictionary.project_id.in_(list(project_ids)))
        .group_by(EventDictionary.project_id)
    )
    return {project_id: dictionary_id for project_id, dictionary_id in session.execute(statement)}


def load_dictionaries(session: Session, ids: Iterable[int]) -> dict[int, tuple[zstandard.ZstdCompressionDict, float]]:
    """Dictionaries by id, each with the compression ratio it reached on the events it was trained on."""
    rows = session.execute(
        select(EventDictionary.id, EventDictionary.data, EventDictionary.ratio).where(EventDictionary.id.in_(list(ids)))
    )
    return {row.id: (stored_dictionary(row.id, row.data), row.ratio) for row in rows}


def read_event_bodies(session: Session, bodies: Sequence[bytes]) -> list[dict[str, Any]]:
    """Stored event bodies decoded, each with the dictionary it names (loaded once per call)."""
    ids = [body_dictionary_id(body) for body in bodies]
    needed = {dictionary_id for dictionary_id in ids if dictionary_id is not None}
    found = load_dictionaries(session, needed) if needed else {}
    missing = needed - found.keys()
    if missing:
        raise LookupError(f"event dictionaries {sorted(missing)} are gone")
    decompressors = {
        dictionary_id: dictionary_decompressor(dictionary) for dictionary_id, (dictionary, _) in found.items()
    }
    return [
        decompress_json(body, decompressors[dictionary_id] if dictionary_id is not None else None)
        for body, dictionary_id in zip(bodies, ids, strict=True)
    ]


def read_event_body(session: Session, body: bytes) -> dict[str, Any]:
    """One stored event body decoded."""
    return read_event_bodies(session, [body])[0]
