from django.urls import include, path
from django.views.decorators.http import require_safe

from api.v1 import api

patterns, _app_name, _namespace = api.urls
# The routes check their callers themselves (a token has no session): the site's
# sign-in redirect and CRM-user check would answer them with pages. The docs page stays
# for signed-in users; the schema is public (it describes, it holds no data).
for pattern in patterns:
    if pattern.name in ("openapi-json", "openapi-view"):
        pattern.callback = require_safe(pattern.callback)  # type: ignore[union-attr]
    if pattern.name != "openapi-view":
        pattern.callback.login_required = False  # type: ignore[union-attr]
urlpatterns = [path("v1/", include((patterns, "api"), namespace="api"))]
