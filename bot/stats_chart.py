"""The /stats chart: people per day and handoffs per day, as a PNG.

Built on a bare ``Figure`` with the Agg canvas: no pyplot global state, no
display needed, safe to run in a worker thread.
"""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import DateFormatter
from matplotlib.figure import Figure

from cnam.stats import Period


def render_chart(period: Period) -> bytes:
    days = [d.day for d in period.daily]
    fig = Figure(figsize=(8, 4), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.bar(days, [d.people for d in period.daily], color="#9bbbd4", label="Personnes")
    ax.plot(
        days, [d.handoffs for d in period.daily],
        color="#c0392b", marker="o", label="Demandes de conseiller",
    )
    ax.plot(
        days, [d.appointments for d in period.daily],
        color="#27ae60", marker="s", label="Rendez-vous",
    )
    ax.set_title(f"{period.days} derniers jours", pad=28)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_ylim(bottom=0)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False)
    ax.tick_params(axis="x", labelrotation=45)
    ax.xaxis.set_major_formatter(DateFormatter("%d/%m"))
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
