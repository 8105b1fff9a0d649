"""Templates to HTML, HTML to PDF: the machinery every report shares.

Templates are Jinja2 with gettext (``{{ _("...") }}``, whole sentences, named
placeholders); numbers are formatted the Dutch or English way with Babel (27,5% or 27.5%).
A report is written to a temporary file and renamed into place, so a failed build leaves
nothing half-written.
"""

from __future__ import annotations

import math
from pathlib import Path

import jinja2
from babel.numbers import format_decimal, format_percent

from ..files import replacing
from ..i18n import LANGUAGES, translations

TEMPLATES = Path(__file__).parent / "templates"
FORMATS = (".html", ".pdf")


def environment(lang: str) -> jinja2.Environment:
    """A Jinja2 environment whose texts and numbers are in ``lang``."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)
    env.filters["num"] = lambda value, digits=1: number(value, lang, digits)
    env.filters["pct"] = lambda value, digits=0: percent(value, lang, digits)
    env.filters["pvalue"] = lambda value: pvalue(value, lang)
    env.filters["p_is"] = lambda value: (
        "–"
        if _missing(value)
        else (pvalue(value, lang) if value < 0.001 else "= " + pvalue(value, lang))
    )
    env.filters["signed"] = lambda value, digits=1: signed(value, lang, digits)
    env.filters["r"] = lambda value: correlation(value, lang)
    env.globals["lang"] = lang
    return env


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value, lang: str, digits: int = 1) -> str:
    """``27.5`` as ``27,5`` (nl) or ``27.5`` (en); an em dash when missing."""
    if _missing(value):
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=_locale(lang))


def percent(value, lang: str, digits: int = 0) -> str:
    """A share (0.275) as a percentage: ``27,5%`` / ``27.5%``."""
    if _missing(value):
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return format_percent(value, format=pattern, locale=_locale(lang))


def pvalue(value, lang: str) -> str:
    """A p-value as APA writes it: ``< ,001`` / ``< .001``, else three decimals, no zero."""
    if _missing(value):
        return "–"
    if value < 0.001:
        return "< " + number(0.001, lang, 3).replace("0", "", 1)
    return number(value, lang, 3).replace("0", "", 1)


def signed(value, lang: str, digits: int = 1) -> str:
    """A change with its sign: ``+7,8`` / ``−2.6``."""
    if _missing(value):
        return "–"
    return ("+" if value > 0 else "−" if value < 0 else "") + number(abs(value), lang, digits)


def correlation(value, lang: str) -> str:
    """A correlation without the leading zero: ``,54`` / ``.54``; ``−,12`` for negatives."""
    if _missing(value):
        return "–"
    text = number(abs(value), lang, 2).replace("0", "", 1)
    return ("−" if value < 0 else "") + text


def _locale(lang: str) -> str:
    return "nl_NL" if lang == "nl" else "en_GB"


def render(template: str, lang: str, **context) -> str:
    """A template rendered to HTML in ``lang``."""
    return environment(lang).get_template(template).render(**context)


def write(html: str, path: str | Path) -> Path:
    """Write a report as HTML or PDF (by the file's suffix), atomically."""
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise ValueError(
            f"{path}: unknown report type {path.suffix or '(none)'!r}; expected .html or .pdf"
        )
    with replacing(path) as temporary:
        if path.suffix.lower() == ".pdf":
            from weasyprint import HTML

            HTML(string=html, base_url=str(TEMPLATES)).write_pdf(temporary)
        else:
            temporary.write_text(html, encoding="utf-8")
    return path
