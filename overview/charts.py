"""The overview's charts as shapes to draw: server-rendered SVG, no script.

Positions across are percentages of the chart's width and heights are pixels, so that a
chart fills a phone's width or a desktop's without scaling its text. Every bar or
segment carries the address of the contact list filtered to what it counts.
"""

import datetime
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse

from overview.selectors import Span, Week

# The horizontal bars' longest, in percent of the width: the figure is written after it.
BAR_ROOM = 82
LABEL_CHARS = 40
# The weekly chart: the plot's height in pixels, and the room above it for the top
# gridline's figure and below it for the months.
PLOT_HEIGHT = 160
PLOT_TOP = 16
AXIS_HEIGHT = 24
# The share of a week's width its bar takes.
BAR_SHARE = 0.7
# The colours crm.css defines (chart-c0 …): more sources than that take them again.
COLOURS = 8


def list_links() -> Callable[..., str]:
    """Return a function of filters giving the contact list's address with them (the list's
    own parameters), reversed once for all the links of a chart."""
    base = reverse("contacts:list")
    return lambda **params: _with_filters(base, params)


def _with_filters(base: str, params: dict[str, str]) -> str:
    query = urlencode({key: value for key, value in params.items() if value})
    return base + (f"?{query}" if query else "")


@dataclass
class Bar:
    label: str
    value: int
    url: str
    width: float = 0.0  # percent of the chart's width
    short_label: str = ""
    y: int = 0


@dataclass
class BarChart:
    bars: list[Bar]
    row_height: int = 36

    @property
    def height(self) -> int:
        return self.row_height * len(self.bars)


def bar_chart(bars: list[Bar]) -> BarChart:
    """Size the bars against the largest one."""
    largest = max((bar.value for bar in bars), default=0) or 1
    for n, bar in enumerate(bars):
        bar.y = n * BarChart.row_height
        bar.width = round(BAR_ROOM * bar.value / largest, 2)
        label = bar.label
        bar.short_label = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
    return BarChart(bars)


@dataclass
class Segment:
    source: str
    label: str
    value: int
    url: str
    colour: int
    y: float = 0.0
    height: float = 0.0


@dataclass
class Column:
    span: Span
    total: int
    url: str
    segments: list[Segment]
    x: float = 0.0  # percent
    width: float = 0.0  # percent
    label_x: float = 0.0  # percent: the middle of the week
    month: datetime.date | None = None  # the month starting that week, labelled under it
    # Each source's (contacts, list address), in the legend's order, zeros included.
    cells: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Gridline:
    value: int
    y: float


@dataclass
class WeekChart:
    columns: list[Column]
    sources: list[tuple[str, str, int, str]]  # (value, label, colour, the 26 weeks' list)
    gridlines: list[Gridline] = field(default_factory=list)
    plot_top: int = PLOT_TOP
    plot_height: int = PLOT_HEIGHT
    plot_bottom: int = PLOT_TOP + PLOT_HEIGHT
    height: int = PLOT_TOP + PLOT_HEIGHT + AXIS_HEIGHT

    @property
    def axis_y(self) -> int:
        return self.plot_bottom + AXIS_HEIGHT - 6


def nice_ceiling(value: int) -> int:
    """Return the smallest 1, 2 or 5 times a power of ten at least value (at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # not reached: 10 × power is always enough


def week_chart(weeks: list[Week], sources: list[tuple[str, str]]) -> WeekChart:
    """Stack each week's new contacts by source, in the order of sources, lowest first."""
    # One reverse() for the chart's 150 links: they differ by their filters alone.
    base = reverse("contacts:list")
    top = nice_ceiling(max((week.total for week in weeks), default=0))
    scale = PLOT_HEIGHT / top
    slot = 100 / len(weeks)
    columns = []
    seen_month = weeks[0].span.first.replace(day=1) if weeks else None
    for n, week in enumerate(weeks):
        params = week.span.params()
        column = Column(
            span=week.span,
            total=week.total,
            url=_with_filters(base, params),
            segments=[],
            x=round(n * slot + slot * (1 - BAR_SHARE) / 2, 3),
            width=round(slot * BAR_SHARE, 3),
            label_x=round(n * slot + slot / 2, 3),
        )
        month = week.span.last.replace(day=1)
        if month != seen_month:
            column.month, seen_month = month, month
        bottom = float(PLOT_TOP + PLOT_HEIGHT)
        for n_source, (source, label) in enumerate(sources):
            value = week.by_source.get(source, 0)
            column.cells.append((value, _with_filters(base, {"source": source, **params})))
            if not value:
                continue
            height = value * scale
            bottom -= height
            column.segments.append(
                Segment(
                    source=source,
                    label=label,
                    value=value,
                    url=column.cells[-1][1],
                    colour=n_source % COLOURS,
                    y=round(bottom, 2),
                    height=round(height, 2),
                )
            )
        columns.append(column)
    whole = Span(weeks[0].span.first, weeks[-1].span.last).params() if weeks else {}
    legend = [
        (source, label, n % COLOURS, _with_filters(base, {"source": source, **whole}))
        for n, (source, label) in enumerate(sources)
    ]
    gridlines = [
        Gridline(value, round(PLOT_TOP + PLOT_HEIGHT - value * scale, 2))
        for value in (top // 2, top)
        if value and (value == top or top % 2 == 0)
    ]
    return WeekChart(columns, legend, gridlines)
