"""The overview: the landing page after sign-in, figures and charts of what the reader sees."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from contacts.models import Contact
from overview import charts, selectors


@require_safe
def overview(request):
    figures = selectors.overview_of(request.user)
    list_url = charts.list_links()
    context = {
        "figures": figures,
        "weeks": charts.week_chart(figures.weeks, list(Contact.Source.choices)),
        "types": charts.bar_chart(
            [
                charts.Bar(title or _("Not specified"), n, list_url(type=str(pk or "none")))
                for pk, title, n in figures.types
            ]
        ),
        "tags": charts.bar_chart(
            [charts.Bar(name, n, list_url(tag=name)) for name, n in figures.tags]
        ),
        "responsible": charts.bar_chart(
            [
                charts.Bar(name, n, list_url(responsible=str(pk)))
                for pk, name, n in figures.responsible
            ]
        ),
    }
    return render(request, "overview/index.html", context)
