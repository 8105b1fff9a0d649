"""Platform analytics: import activity exports as pseudonymised events, then measure them.

The importers (one module per platform under :mod:`.importers`, one registry in
:mod:`.registry`) turn a platform's own export into the event table of :mod:`.events`;
:func:`import_export` runs one and writes the dataset atomically. See docs/formats.md.
"""

from .dataset import ImportReport, import_export, is_dataset
from .events import (
    ACTIONS,
    EVENT_SCHEMA,
    NO_THREAD,
    PERIOD_COUNTS_SCHEMA,
    Event,
    EventBatch,
    PeriodCount,
)
from .pseudonym import Pseudonymiser, PseudonymKeyError, load_key, pseudonymise
from .registry import (
    BaseImporter,
    ImportContext,
    Importer,
    ImportWorkerError,
    MalformedRecordError,
    all_importers,
    get_importer,
    register,
    unregister,
)
from .roster import RosterSpec, import_roster

__all__ = [
    "ACTIONS",
    "EVENT_SCHEMA",
    "NO_THREAD",
    "PERIOD_COUNTS_SCHEMA",
    "BaseImporter",
    "Event",
    "EventBatch",
    "ImportContext",
    "ImportReport",
    "Importer",
    "ImportWorkerError",
    "MalformedRecordError",
    "PeriodCount",
    "PseudonymKeyError",
    "Pseudonymiser",
    "RosterSpec",
    "get_importer",
    "import_export",
    "import_roster",
    "all_importers",
    "is_dataset",
    "load_key",
    "pseudonymise",
    "register",
    "unregister",
]
