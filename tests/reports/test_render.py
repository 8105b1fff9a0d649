"""Numbers the Dutch or the English way; reports written whole or not at all."""

import pytest

from ismonitor.reports.render import correlation, number, percent, pvalue, write


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("nl", ["27,5", "27,6%", "< ,001", ",023", ",54", "−,12", "1.234,5", "–"]),
     ("en", ["27.5", "27.6%", "< .001", ".023", ".54", "−.12", "1,234.5", "–"])],
)  # fmt: skip
def test_numbers_follow_the_language(lang, expected):
    got = [
        number(27.456, lang),
        percent(0.2756, lang, 1),
        pvalue(0.0004, lang),
        pvalue(0.0234, lang),
        correlation(0.538, lang),
        correlation(-0.12, lang),
        number(1234.5, lang),
        number(float("nan"), lang),
    ]
    assert got == expected


def test_it_refuses_an_unknown_report_type(tmp_path):
    with pytest.raises(ValueError, match=r"report.docx: unknown report type '.docx'"):
        write("<p>x</p>", tmp_path / "report.docx")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_pdf_leaves_no_file(tmp_path, monkeypatch):
    import weasyprint

    def broken(*args, **kwargs):
        raise RuntimeError("out of paper")

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", broken)
    with pytest.raises(RuntimeError):
        write("<p>x</p>", tmp_path / "report.pdf")
    assert list(tmp_path.iterdir()) == []
