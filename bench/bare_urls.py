"""One page that does nothing but answer its user: what Django's request costs alone.

The bench times it beside the list, under the same middleware, session and login: no
page of the CRM can be faster, whatever its SQL.
"""

from django.http import HttpResponse
from django.urls import path


def bare(request):
    return HttpResponse(request.user.get_username())


urlpatterns = [path("bare/", bare)]
