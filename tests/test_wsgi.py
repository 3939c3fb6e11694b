"""crm.wsgi, the application gunicorn serves: what it does beyond Django's own."""

import json

from tests.reliability.support import environment, python

SERVE = """
import gc, json
from wsgiref.util import setup_testing_defaults

from crm.wsgi import application

def get(path):
    environ = {"PATH_INFO": path}
    setup_testing_defaults(environ)
    statuses = []
    response = application(environ, lambda status, headers: statuses.append(status))
    b"".join(response)
    response.close()  # Django sends request_finished here, as gunicorn's close does
    return statuses[0]

before = gc.get_freeze_count()
first = get("/accounts/login/")
after_first = gc.get_freeze_count()
second = get("/accounts/login/")
print(json.dumps([first, second, before, after_first, gc.get_freeze_count()]))
"""


def test_the_server_freezes_what_it_loaded_once_its_first_request_is_served(tmp_path):
    env = environment(f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path)
    out = python(env, ["-c", SERVE], timeout=60)
    first, second, before, after_first, after_second = json.loads(out)

    assert first == second == "200 OK"
    assert before == 0
    # Thousands of objects: settings, apps, URLs, templates, translations.
    assert after_first > 10_000
    # Once: what later requests allocate stays the collector's to free (frozen objects
    # freed by their reference count leave the frozen generation).
    assert after_second <= after_first
