"""The roster: the people an organisation means its platform for, with attributes.

A roster CSV has one column with each person's platform identifier (``user_id`` unless
told otherwise) and any attribute columns (``department``, ``location``, ``fte``...). The
identifier is pseudonymised exactly as the events' users are (same key, same namespace),
so the two join; attributes are kept as text. Columns that look like names or e-mail
addresses are refused unless left out with ``drop``: a roster is for counting groups,
not for naming people.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from . import events
from .importers._common import CsvFile, ExportSource
from .pseudonym import Pseudonymiser, load_key
from .registry import MISSING, ImportContext, MalformedRecordError

PERSONAL_COLUMNS = frozenset(
    {
        # English
        "name", "fullname", "firstname", "lastname", "givenname", "surname", "familyname",
        "displayname", "username", "login", "email", "emailaddress", "mail", "mailaddress",
        "userprincipalname", "upn", "phone", "phonenumber", "mobile", "telephone",
        "address", "birthdate", "dateofbirth", "initials",
        # Dutch
        "naam", "volledigenaam", "voornaam", "achternaam", "roepnaam", "tussenvoegsel",
        "voorletters", "gebruikersnaam", "emailadres", "mailadres", "telefoon",
        "telefoonnummer", "adres", "geboortedatum",
    }
)  # fmt: skip
"""Column names (lower-cased, without spaces, ``_`` or ``-``) refused in a roster."""

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class RosterSpec:
    """Where a roster is and how to read it."""

    path: Path
    id_column: str = "user_id"
    """The column with each person's identifier on the platform."""
    drop: tuple[str, ...] = field(default_factory=tuple)
    """Columns to leave out (names, e-mail addresses, anything not needed)."""
    delimiter: str = ","


def _personal(column: str) -> bool:
    return re.sub(r"[\s_\-.]", "", column.lower()) in PERSONAL_COLUMNS


def write_roster(spec: RosterSpec, out_file: Path, pseudonymiser: Pseudonymiser) -> int:
    """Read the roster CSV, pseudonymise it and write ``out_file``; return its rows.

    Raises :class:`~.registry.MalformedRecordError` naming the file, line and column for
    a missing identifier column, an empty or repeated identifier, a column that looks
    personal, or an e-mail address in an attribute.
    """
    path = Path(spec.path)
    context = ImportContext("roster")
    with ExportSource(path) as source:
        name = source.names()[0]
        reader = CsvFile(source, name, context, (spec.id_column,), delimiter=spec.delimiter)
        display = reader.display
        unknown_drops = set(spec.drop) - set(reader.header)
        if unknown_drops:
            raise MalformedRecordError(
                display,
                "line 1 (the header)",
                sorted(unknown_drops)[0],
                MISSING,
                f"a column to drop; the columns are: {', '.join(reader.header)}",
            )
        if spec.id_column in spec.drop:
            raise ValueError(f"the identifier column {spec.id_column!r} cannot be dropped")
        keep = [
            column
            for column in reader.header
            if column != spec.id_column and column not in spec.drop
        ]
        for column in keep:
            if _personal(column):
                raise MalformedRecordError(
                    display,
                    "line 1 (the header)",
                    column,
                    None,
                    "no names, e-mail addresses or other personal details in a roster; "
                    f"leave the column out with drop=[{column!r}]",
                )
        if len(set(reader.header)) != len(reader.header):
            raise MalformedRecordError(
                display, "line 1 (the header)", None, None, "each column name once"
            )
        id_index = reader.columns[spec.id_column]
        indexes = [reader.columns[column] for column in keep]
        ids: list[str] = []
        attributes: list[list[str | None]] = [[] for _ in keep]
        first_line: dict[str, int] = {}
        for line, row in reader.rows():
            identifier = row[id_index].strip()
            if not identifier:
                raise MalformedRecordError(
                    display, f"line {line}", spec.id_column, row[id_index], "an identifier"
                )
            pseudonym = pseudonymiser(identifier)
            if pseudonym in first_line:
                raise MalformedRecordError(
                    display,
                    f"line {line}",
                    spec.id_column,
                    identifier,
                    f"each person once, but line {first_line[pseudonym]} has the same one",
                )
            first_line[pseudonym] = line
            ids.append(pseudonym)
            for values, index, column in zip(attributes, indexes, keep, strict=True):
                value = row[index].strip()
                if _EMAIL.search(value):
                    raise MalformedRecordError(
                        display,
                        f"line {line}",
                        column,
                        None,
                        "no e-mail addresses in roster attributes; leave the column out "
                        f"with drop=[{column!r}]",
                    )
                values.append(value or None)
    table = pa.table(
        [pa.array(ids, pa.string())] + [pa.array(values, pa.string()) for values in attributes],
        schema=pa.schema(
            [pa.field("user_id", pa.string(), nullable=False)]
            + [pa.field(column, pa.string()) for column in keep]
        ),
    )
    pq.write_table(table, out_file, compression=events.COMPRESSION)
    return table.num_rows


def import_roster(
    path: str | Path,
    out_file: str | Path,
    *,
    namespace: str,
    key: bytes | str | None = None,
    id_column: str = "user_id",
    drop: Iterable[str] = (),
    delimiter: str = ",",
    overwrite: bool = False,
) -> int:
    """Pseudonymise a roster CSV into ``out_file`` (Parquet); return the number of people.

    ``namespace`` must be the one the events were imported with (the platform's name by
    default) and ``key`` the same key, or the roster will not join the events. The file
    is written to a temporary name and renamed, so a failure leaves nothing behind.
    """
    out_file = Path(out_file)
    if out_file.exists() and not overwrite:
        raise FileExistsError(f"{out_file}: exists; pass overwrite=True to replace it")
    spec = RosterSpec(Path(path), id_column, tuple(drop), delimiter)
    pseudonymiser = Pseudonymiser(load_key(key), namespace)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out_file.name}.tmp-", dir=out_file.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        rows = write_roster(spec, tmp, pseudonymiser)
        os.replace(tmp, out_file)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return rows
