"""The WSGI application that gunicorn serves (and runserver, through WSGI_APPLICATION)."""

import gc
import os

from django.core.signals import request_finished
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
application = get_wsgi_application()


def freeze_after_first_request(**kwargs):
    """Move what the process has loaded out of the garbage collector's way, once.

    The first request loads the rest of what serving needs (URLs, templates,
    translations), which lives as long as the process. Frozen, it is no longer walked by
    each full collection: on the list page one took 46 ms, and takes 2 ms after.
    """
    request_finished.disconnect(freeze_after_first_request)
    gc.freeze()


request_finished.connect(freeze_after_first_request)
