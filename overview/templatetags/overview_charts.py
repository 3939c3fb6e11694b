"""The weekly chart, built in Python.

26 weeks of a bar per source, each with its link and title, and the table of the same
figures: some 150 links and 1,500 values, which the template language would resolve one
by one through its generic lookup for most of the page's time. As the contact list's rows
(contacts/templatetags/contact_list.py), they are written here with plain str.format:
every value goes through escape() and only the markup written here is left as it is.
Numbers in attributes are written unlocalised (SVG reads "12.5", never "12,5").
"""

from html import escape

from django import template
from django.utils.formats import date_format, number_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from overview.charts import WeekChart

register = template.Library()

LEGEND_ITEM = (
    '<li class="list-inline-item"><span class="chart-swatch chart-c{colour}" aria-hidden="true">'
    '</span> <a href="{url}" class="text-reset">{label}</a></li>'
)
GRIDLINE = (
    '<line class="chart-grid" x1="0" x2="100%" y1="{y}" y2="{y}"></line>'
    '<text class="chart-tick" x="0" y="{y}" dy="-3">{value}</text>'
)
COLUMN = (
    '<a href="{url}" tabindex="-1" data-chart-link data-week="{week}" data-count="{count}">'
    "<title>{title}</title>"
    # The whole week's height answers a click above a short bar too.
    '<rect class="chart-hit" x="{x}%" y="{top}" width="{width}%" height="{height}"></rect></a>'
)
SEGMENT = (
    '<a href="{url}" tabindex="-1" data-chart-link data-source="{source}" data-count="{count}">'
    '<title>{title}</title><rect class="chart-c{colour}" x="{x}%" y="{y}" width="{width}%"'
    ' height="{height}"></rect></a>'
)
MONTH = '<text class="chart-tick" x="{x}%" y="{y}" text-anchor="middle">{label}</text>'
CELL = '<td class="text-end"><a href="{url}">{value}</a></td>'
ZERO = '<td class="text-end">0</td>'


def _n(value: int) -> str:
    return number_format(value, force_grouping=True)


@register.simple_tag
def week_chart(chart: WeekChart) -> str:
    """Return the legend, the picture and the table of figures of the weekly chart."""
    legend = "".join(
        LEGEND_ITEM.format(colour=colour, url=escape(url), label=escape(str(label)))
        for _source, label, colour, url in chart.sources
    )
    parts = [GRIDLINE.format(y=line.y, value=escape(_n(line.value))) for line in chart.gridlines]
    parts.append(
        f'<line class="chart-axis" x1="0" x2="100%" y1="{chart.plot_bottom}"'
        f' y2="{chart.plot_bottom}"></line>'
    )
    week_of = gettext("Week of %(date)s: %(count)s")
    week_source = gettext("Week of %(date)s, %(source)s: %(count)s")
    rows = []
    for column in chart.columns:
        day = date_format(column.span.first)
        parts.append(
            COLUMN.format(
                url=escape(column.url),
                week=column.span.first.isoformat(),
                count=column.total,
                title=escape(week_of % {"date": day, "count": _n(column.total)}),
                x=column.x,
                top=chart.plot_top,
                width=column.width,
                height=chart.plot_height,
            )
        )
        for segment in column.segments:
            title = week_source % {"date": day, "source": segment.label, "count": _n(segment.value)}
            parts.append(
                SEGMENT.format(
                    url=escape(segment.url),
                    source=escape(segment.source),
                    count=segment.value,
                    title=escape(title),
                    colour=segment.colour,
                    x=column.x,
                    y=segment.y,
                    width=column.width,
                    height=segment.height,
                )
            )
        if column.month:
            label = escape(date_format(column.month, "M"))
            parts.append(MONTH.format(x=column.label_x, y=chart.axis_y, label=label))
        cells = "".join(
            CELL.format(url=escape(url), value=escape(_n(value))) if value else ZERO
            for value, url in column.cells
        )
        total = CELL.format(url=escape(column.url), value=escape(_n(column.total)))
        rows.append(f'<tr><th scope="row" class="fw-normal">{escape(day)}</th>{cells}{total}</tr>')
    headings = "".join(
        f'<th scope="col" class="text-end">{escape(str(label))}</th>'
        for _source, label, _colour, _url in chart.sources
    )
    # Outside the f-strings below, where makemessages would not find them.
    show, week_heading, total_heading = (
        gettext("Show the figures"),
        gettext("Week of"),
        gettext("Total"),
    )
    html = (
        f'<ul class="list-inline small mb-2 chart-legend">{legend}</ul>'
        f'<svg class="chart chart-weeks" width="100%" height="{chart.height}" aria-hidden="true"'
        f' focusable="false" data-chart="weeks">{"".join(parts)}</svg>'
        '<details class="chart-figures mt-2">'
        f'<summary class="small">{escape(show)}</summary>'
        '<div class="table-responsive"><table class="table table-sm mt-2 mb-0 text-nowrap"'
        f' data-table="weeks"><thead><tr><th scope="col">{escape(week_heading)}</th>'
        f'{headings}<th scope="col" class="text-end">{escape(total_heading)}</th></tr>'
        f"</thead><tbody>{''.join(reversed(rows))}</tbody></table></div></details>"
    )
    # safe-html: every value above went through escape(); the markup is this module's.
    return mark_safe(html)  # noqa: S308
