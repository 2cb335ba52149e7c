"""Every corpus notice imports with the structure written by hand for it (see corpus/README.md).

`pytest tests/importing/test_corpus.py -s` prints the pass count; the figure before and after
issue 18 is in the README.
"""

import pytest

from importing.parser import NoticeError, parse_notice
from importing.reader import read_notice_file

from .corpus_files import corpus_notices, differences

NOTICES = corpus_notices()

# Notices the importer does not yet read right, with the reason; each must fail (strict xfail), so
# that fixing one makes this list shorter.
KNOWN_FAILING: dict[str, str] = {}


def corpus_result(notice) -> list[str]:
    try:
        parsed = parse_notice(read_notice_file(notice.filename, notice.data))
    except NoticeError as error:
        return [f"refused: {error}"]
    return differences(parsed, notice.expected)


def test_the_corpus_holds_at_least_twenty_notices_of_every_input_type():
    assert len(NOTICES) >= 20
    assert {notice.filename.rsplit(".", 1)[1] for notice in NOTICES} == {"txt", "docx", "xlsx", "pdf"}


@pytest.mark.parametrize(
    "notice",
    [
        pytest.param(n, marks=pytest.mark.xfail(reason=KNOWN_FAILING[n.name], strict=True))
        if n.name in KNOWN_FAILING
        else n
        for n in NOTICES
    ],
    ids=[n.name for n in NOTICES],
)
def test_the_notice_imports_with_its_expected_structure(notice):
    assert corpus_result(notice) == []


def test_corpus_pass_count(capsys):
    results = {notice.name: corpus_result(notice) for notice in NOTICES}
    passed = [name for name, problems in results.items() if not problems]
    with capsys.disabled():
        print(f"\ncorpus: {len(passed)} of {len(NOTICES)} notices import with the right structure and units")
        for name, problems in results.items():
            if problems:
                print(f"  {name}: {'; '.join(problems)[:300]}")
    assert len(passed) == len(NOTICES) - len(KNOWN_FAILING)
