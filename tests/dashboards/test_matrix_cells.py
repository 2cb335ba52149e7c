"""The matrix's cells, written in Python (dashboards/matrix.py): each light's words are a plain `str` made once a
page (a lazy label escaped per cell cost fifty times more), the links and titles are the ones the page promises."""

from types import SimpleNamespace

from django.utils.functional import Promise

from dashboards.matrix import Cells
from dashboards.metrics import EMPTY, Cell
from tasks.status import Light


def test_the_words_are_plain_strings_made_once():
    cells = Cells("/r/{}/".format, "/t/{}/?period=3".format)
    assert cells.words and all(isinstance(word, str) and not isinstance(word, Promise) for word in cells.words.values())
    assert cells.words[Light.OVERDUE] == "逾期"


def test_a_row_links_reports_and_tasks_and_marks_the_unassigned():
    cells = Cells("/r/{}/".format, '/t/{}/?period=3&x="'.format)
    row = SimpleNamespace(
        task=SimpleNamespace(pk=7),
        cells=[Cell(Light.DONE, 1, 11), Cell(Light.OVERDUE, 2, None), EMPTY],
    )
    assert str(cells.row(row)) == (
        '<td class="mx mx-done"><a href="/r/11/" title="已完成">已</a></td>'
        '<td class="mx mx-overdue"><a href="/t/7/?period=3&amp;x=&quot;" title="逾期（未填写报告）">逾</a></td>'
        '<td class="mx mx-not_assigned" title="未分工"></td>'
    )
