"""A digest worker's side of event dictionaries (heron.store.dictionaries): it compresses each project's events
with the project's newest dictionary, and trains one from a sample of the project's events where there is none
yet, or where the newest no longer fits what the project sends (a new release, new modules, new routes).

Training runs between preparing a batch and storing it (~40-90 ms, once per project and worker at most every
`CHECK_EVERY` events); the dictionary is stored in the batch's transaction, and every worker compresses with it
from its next batch on. Two workers that train for the same project at once keep the first one stored.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
import zstandard
from sqlalchemy.orm import Session

from heron.store.bodies import compress_bytes, dictionary_compressor, stored_dictionary, train_dictionary
from heron.store.dictionaries import add_dictionary, latest_dictionary_ids, load_dictionaries

log = logging.getLogger(__name__)

TRAINING_EVENTS = 200  # sampled per dictionary: three in four train it, the fourth measure it
SAMPLE_BYTES = 4 * 1024 * 1024  # a sample stops growing here, so that large events do not hold more
LARGEST_SAMPLE = 64 * 1024  # larger events are compressed but not sampled
DICTIONARY_BYTES = 32 * 1024
SAMPLING_PROJECTS = 2  # projects sampled at once by one worker: each sample holds up to `SAMPLE_BYTES`
# A project waiting for a sample takes the place of the smallest one once it has sent more events meanwhile than
# this, and twice as many as that sample holds: busy projects are sampled first, and quiet ones cannot keep them
# waiting by never filling theirs.
MIN_WAIT = 20
COMPRESSORS_KEPT = 32  # ~130 KiB each; a batch keeps every one it needs, however many
CHECK_EVERY = 10_000  # events between checks that a dictionary still fits
STALE_FACTOR = 1.5  # a dictionary no longer fits when the events take this much more than it was measured at


@dataclass(slots=True)
class TrainedDictionary:
    """A dictionary trained for a project, to store unless the project got a newer one meanwhile."""

    project_id: int
    replaces: int | None  # the project's newest dictionary when its sample began
    data: bytes
    ratio: float  # compressed / raw size of the held-out fourth of the sample


@dataclass(slots=True)
class _Sample:
    replaces: int | None
    events: list[bytes] = field(default_factory=list)
    size: int = 0

    def full(self) -> bool:
        return len(self.events) >= TRAINING_EVENTS or self.size >= SAMPLE_BYTES


@dataclass(slots=True)
class _Fit:
    """How well a project's events compressed with its dictionary since the last check."""

    raw: int = 0
    compressed: int = 0
    events: int = 0


class EventCompression:
    """One worker's compressors (one per dictionary), the dictionary each project uses, and its samples.

    Not thread-safe (zstd contexts are not): one per worker.
    """

    def __init__(self) -> None:
        self._compressors: OrderedDict[int, tuple[zstandard.ZstdCompressor, float]] = OrderedDict()  # least used first
        self._newest: dict[int, int] = {}
        self._fits: dict[int, _Fit] = {}
        self._samples: dict[int, _Sample] = {}
        self._untrainable: set[int] = set()
        self._waiting: dict[int, int] = {}  # events of projects that wait for a sample, since they began to
        self._stale: dict[int, int] = {}  # projects whose newest dictionary (the value) no longer fits

    def refresh(self, session: Session, project_ids: set[int]) -> None:
        """Learn the newest dictionary of each project of a batch, loading the ones this worker lacks."""
        newest = latest_dictionary_ids(session, project_ids)
        wanted = set(newest.values())
        for dictionary_id, (dictionary, ratio) in load_dictionaries(session, wanted - self._compressors.keys()).items():
            self._compressors[dictionary_id] = (dictionary_compressor(dictionary), ratio)
        for dictionary_id in wanted:
            self._compressors.move_to_end(dictionary_id)
        while len(self._compressors) > max(COMPRESSORS_KEPT, len(wanted)):
            self._compressors.popitem(last=False)
        for project_id, dictionary_id in newest.items():
            if self._newest.get(project_id) == dictionary_id:
                continue
            self._newest[project_id] = dictionary_id
            self._fits.pop(project_id, None)
            self._waiting.pop(project_id, None)
            self._stale.pop(project_id, None)
            sample = self._samples.get(project_id)
            if sample is not None and sample.replaces != dictionary_id:
                del self._samples[project_id]  # another worker trained one meanwhile

    def compress_event(self, project_id: int, event: dict[str, Any]) -> bytes:
        """The event as a stored body: compressed with the project's newest dictionary, if it has one."""
        data = orjson.dumps(event)
        dictionary_id = self._newest.get(project_id)
        if dictionary_id is None:
            body = compress_bytes(data)
        else:
            compressor, ratio = self._compressors[dictionary_id]
            body = compress_bytes(data, compressor)
            self._check_fit(project_id, dictionary_id, ratio, len(data), len(body))
        if project_id not in self._samples and (dictionary_id is None or self._stale.get(project_id) == dictionary_id):
            self._start_sample(project_id, dictionary_id)
        sample = self._samples.get(project_id)
        if sample is not None and not sample.full() and len(data) <= LARGEST_SAMPLE:
            sample.events.append(data)
            sample.size += len(data)
        return body

    def train(self) -> list[TrainedDictionary]:
        """Dictionaries from every full sample. CPU only: run it before the store transaction."""
        full = [project_id for project_id, sample in self._samples.items() if sample.full()]
        trained = [found for found in map(self._train_sample, full) if found is not None]
        if full:
            _release_freed_memory()  # each sample is gone by now: `_train_sample` held the only reference
        return trained

    def _train_sample(self, project_id: int) -> TrainedDictionary | None:
        sample = self._samples.pop(project_id)
        found = _train(sample.events)
        if found is None:
            log.info("project %d: no dictionary pays off for its events; compressing them alone", project_id)
            self._untrainable.add(project_id)
            return None
        data, ratio = found
        log.info("project %d: trained an event dictionary (%.1f%% of the raw size)", project_id, ratio * 100)
        return TrainedDictionary(project_id, sample.replaces, data, ratio)

    def save(self, session: Session, trained: list[TrainedDictionary]) -> None:
        """Store trained dictionaries in the batch's transaction; a project that got a newer dictionary while
        this one was sampled keeps that one. Used from the next batch on, once committed."""
        if not trained:
            return
        newest = latest_dictionary_ids(session, {t.project_id for t in trained})
        for dictionary in trained:
            if newest.get(dictionary.project_id) == dictionary.replaces:
                add_dictionary(session, dictionary.project_id, dictionary.data, dictionary.ratio)

    def _check_fit(self, project_id: int, dictionary_id: int, ratio: float, raw: int, compressed: int) -> None:
        fit = self._fits.setdefault(project_id, _Fit())
        fit.raw += raw
        fit.compressed += compressed
        fit.events += 1
        if fit.events < CHECK_EVERY:
            return
        del self._fits[project_id]
        if fit.compressed > STALE_FACTOR * ratio * fit.raw:
            self._stale[project_id] = dictionary_id

    def _start_sample(self, project_id: int, replaces: int | None) -> None:
        if project_id in self._untrainable:
            return
        if len(self._samples) >= SAMPLING_PROJECTS:
            waited = self._waiting[project_id] = self._waiting.get(project_id, 0) + 1
            smallest = min(self._samples, key=lambda sampled: len(self._samples[sampled].events))
            if waited <= max(MIN_WAIT, 2 * len(self._samples[smallest].events)):
                return
            del self._samples[smallest]
        self._waiting.pop(project_id, None)
        self._samples[project_id] = _Sample(replaces)


def _train(events: list[bytes]) -> tuple[bytes, float] | None:
    """A dictionary trained on three in four events and its ratio on the fourth; None if zstd cannot train one
    or it does not pay off (saves less than a tenth of what the held-out events take compressed alone)."""
    held_out = events[3::4]
    training = [event for index, event in enumerate(events) if index % 4 != 3]
    training_bytes = sum(map(len, training))
    try:
        data = train_dictionary(training, min(DICTIONARY_BYTES, max(1024, training_bytes // 20)))
    except ValueError as exc:
        log.info("%s", exc)
        return None
    compressor = dictionary_compressor(stored_dictionary(0, data))
    raw = sum(map(len, held_out))
    with_dictionary = sum(len(compressor.compress(event)) for event in held_out)
    alone = sum(len(compress_bytes(event)) for event in held_out)
    if not raw or with_dictionary >= 0.9 * alone:
        return None
    return data, with_dictionary / raw


def _release_freed_memory() -> None:
    """Hand the heap that a sample and its training freed back to the system.

    glibc keeps freed heap for reuse: a worker held ~12 MiB more for the rest of its life after training one
    dictionary (4.7 MiB of sample, the rest zstd's working memory), and with `malloc_trim` ~1 MiB. Nothing
    happens where the C library has no `malloc_trim`.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    path = ctypes.util.find_library("c")
    library = ctypes.CDLL(path) if path else None
    return getattr(library, "malloc_trim", None)
