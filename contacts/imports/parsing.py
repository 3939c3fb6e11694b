"""Read the rows of each batch, in this process or, for a big file, in a second one.

Reading rows and parsing phone numbers take about half of an import's time. For a big
file a forked process reads the rows of the next batch (row rules, e-mail validation,
phone numbers) while this one writes the current batch; it never touches the database.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from functools import lru_cache
from typing import NamedTuple, Protocol

from django.conf import settings
from django.utils import translation

from contacts.imports.rows import EmptyRow, Row, RowError, RowReader
from contacts.models import ContactInfo, CustomField
from contacts.search_text import PhoneParts, phone_parts

Record = tuple[int, list[str]]  # a record of the file: its line and its cells


class Refused(NamedTuple):
    """A record that makes no contact: reason None when it is empty, else why not."""

    line: int
    cells: list[str]
    reason: str | None


# The outcome of each record of a batch, and the phones parsed on the way.
ParsedBatch = tuple[list[Row | Refused], dict[str, PhoneParts]]


class Parsing(Protocol):
    """A batch being parsed: a Future of parse_batch, or a batch parsed already."""

    def result(self) -> ParsedBatch: ...


class Done:
    """A batch parsed in this process, with the interface of a Future."""

    def __init__(self, value: ParsedBatch) -> None:
        self.value = value

    def result(self) -> ParsedBatch:
        return self.value


# A file's numbers repeat (a company's switchboard): each parsed once per process.
_phone_parts = lru_cache(maxsize=4096)(phone_parts)
# The second process's reader, made once when it starts (_start_worker).
_worker_reader: RowReader | None = None


def _start_worker(mapping: list[str], width: int, fields: list[CustomField], language: str) -> None:
    global _worker_reader
    _worker_reader = RowReader(mapping, width, fields)
    translation.activate(language)


def parse_batch(batch: list[Record], reader: RowReader | None = None) -> ParsedBatch:
    """Read the rows of a batch; return their outcomes and the phones parsed on the way."""
    reader = reader or _worker_reader
    if reader is None:
        raise RuntimeError("parse_batch needs a reader outside the second process")
    outcomes: list[Row | Refused] = []
    phones = {}
    for line, cells in batch:
        try:
            row = reader.read(line, cells)
        except EmptyRow:
            outcomes.append(Refused(line, cells, None))
        except RowError as error:
            outcomes.append(Refused(line, cells, str(error)))
        else:
            outcomes.append(row)
            for info in row.infos:
                if info["kind"] == ContactInfo.Kind.PHONE:
                    phones[info["value"]] = _phone_parts(info["value"])
    return outcomes, phones


@contextmanager
def parser(reader: RowReader, file_size: int) -> Iterator[Callable[[list[Record]], Parsing]]:
    """Yield parse(batch) → a Future of parse_batch(batch).

    A big file is parsed in a second process (forked, so it shares the code and the
    settings but never the database) while this one writes. Small files are parsed here.
    """
    threshold = settings.IMPORT_PARALLEL_MIN_BYTES
    if not threshold or file_size < threshold or (os.cpu_count() or 1) < 2:
        yield lambda batch: Done(parse_batch(batch, reader))
        return
    with ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_start_worker,
        initargs=(
            reader.mapping,
            reader.header_width,
            list(reader.fields.values()),
            translation.get_language() or settings.LANGUAGE_CODE,
        ),
    ) as pool:
        yield lambda batch: pool.submit(parse_batch, batch)


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Keep the objects that exist before the import out of the garbage collector's way.

    An import allocates millions of objects: the cyclic collector runs thousands of
    times, dozens of them over every object of the process (Django and all the modules
    loaded): 3 to 5 s of a 40 s import of 100,000 rows in the process that writes, under
    2 s once they are frozen. They are unfrozen at the end, so that any garbage among
    them is collected as before. The parser forked meanwhile shares them untouched, as
    gc.freeze's documentation recommends.

    The youngest objects are collected less often meanwhile (every 20,000 allocations
    rather than 700): a batch keeps tens of thousands of them alive until it is written,
    which each collection traversed again: 1.0-1.3 s of collections instead of 1.7-2.6 s.
    """
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(20_000, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
