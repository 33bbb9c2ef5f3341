"""Charts drawn on the server as SVG (pygal), so they show without JavaScript.

pygal's interactive script is switched off (it would be loaded from another site); titles and
values are in the SVG itself, and each chart is followed in the page by the same figures as a
table, for screen readers and for copying.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

import pygal
import pygal.graph.graph
from flask_babel import format_decimal
from markupsafe import Markup
from pygal.style import Style

_STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#212529",
    foreground_strong="#212529",
    foreground_subtle="#6c757d",
    colors=("#0d6efd", "#dc3545", "#198754", "#fd7e14", "#6f42c1"),
    font_family="system-ui, sans-serif",
)


def _config(title: str) -> dict[str, object]:
    return {
        "title": title,
        "style": _STYLE,
        "js": [],  # no script from a CDN, no script at all
        "disable_xml_declaration": True,
        "show_legend": False,
        "height": 300,
        "width": 640,
        "explicit_size": False,
        "print_values": False,
        "x_label_rotation": 0,
        "formatter": lambda value: format_decimal(value, format="#,##0"),
    }


_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)


def _svg(chart: pygal.graph.graph.Graph) -> Markup:
    """The chart's SVG without the script pygal always writes into it (the content policy
    forbids inline script, and the chart needs none)."""
    return Markup(_SCRIPT.sub("", chart.render(is_unicode=True)))  # noqa: S704 - pygal's own SVG


def bars(title: str, labels: Sequence[str], values: Sequence[Decimal | int]) -> Markup:
    chart = pygal.Bar(**_config(title))
    chart.x_labels = list(labels)
    chart.add(title, list(values))
    return _svg(chart)


def line(title: str, labels: Sequence[str], values: Sequence[Decimal | int]) -> Markup:
    chart = pygal.Line(**_config(title), fill=True, show_dots=True)
    chart.x_labels = list(labels)
    chart.add(title, list(values))
    return _svg(chart)


def lines(
    title: str, labels: Sequence[str], series: dict[str, Sequence[Decimal | int | None]]
) -> Markup:
    """Several lines on one chart (expected against actual), with a legend; ``None`` is a gap."""
    config = _config(title) | {"show_legend": True, "legend_at_bottom": True}
    chart = pygal.Line(**config)
    chart.x_labels = list(labels)
    for name, values in series.items():
        chart.add(name, list(values))
    return _svg(chart)
