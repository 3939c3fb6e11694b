"""crm.wsgi as the throughput case serves it: the settings of bench/run.py's process.

The environment (DATABASE_URL, DEBUG=0, SECRET_KEY, ALLOWED_HOSTS, …) comes from the
process that starts gunicorn; the one change, as for the test client, is the plain static
files storage, so that pages render without running collectstatic.
"""

import warnings

# whitenoise warns that collectstatic has not filled STATIC_ROOT: no static file is served here.
warnings.filterwarnings("ignore", message="No directory at")

from crm.wsgi import application  # noqa: E402, F401 (after the filter; what gunicorn serves)


def _plain_static_files():
    from django.conf import settings
    from django.test.utils import override_settings

    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}).enable()


_plain_static_files()
