"""The task × unit matrix's cells, written in Python: up to 2,000 a page, where a template loop would cost more
than the rest of the page. One of the two places (with `charts`) where markup is written in Python; every value
that is not an integer or a light value is escaped (`format_html`, `escape`)."""

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from tasks.status import Light


class Cells:
    """What every row's cells share, made once a page: the words of each light (translated and escaped once,
    as `str`: a lazy label escaped per cell costs fifty times more), the empty cell, the link patterns."""

    def __init__(self, report_url, task_url):
        self.report_url, self.task_url = report_url, task_url
        self.words = {light: escape(str(Light(light).label)) for light in Light.values}
        self.no_report = escape(_("未填写报告"))
        self.not_assigned = str(format_html('<td class="mx mx-not_assigned" title="{}"></td>', _("未分工")))

    def row(self, row):
        """One matrix row's cells: the light's first character on its colour, linking to the report (or, without
        one, to the task page); the full words in the title."""
        words, report_url = self.words, self.report_url
        task_link = escape(self.task_url(row.task.pk))
        cells = []
        for cell in row.cells:
            if cell.report_id:
                label = words[cell.light]
                cells.append(
                    f'<td class="mx mx-{cell.light}"><a href="{report_url(int(cell.report_id))}" title="{label}">'
                    f"{label[:1]}</a></td>"
                )
            elif cell.assignment_id:
                label = words[cell.light]
                cells.append(
                    f'<td class="mx mx-{cell.light}"><a href="{task_link}" title="{label}（{self.no_report}）">'
                    f"{label[:1]}</a></td>"
                )
            else:
                cells.append(self.not_assigned)
        return SafeString("".join(cells))  # integers, light values (the keys of `words`) and escaped words
