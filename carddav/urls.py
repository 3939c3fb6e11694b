from django.urls import path, re_path

from carddav import views

app_name = "carddav"
# A client may leave the last slash off a collection's address: both are answered, since
# a redirect would lose a PROPFIND's body.
urlpatterns = [
    path("", views.root, name="root"),
    re_path(r"^principals/(?P<username>[^/]+)/?$", views.principal, name="principal"),
    re_path(r"^addressbooks/(?P<username>[^/]+)/?$", views.home, name="home"),
    re_path(r"^addressbooks/(?P<username>[^/]+)/(?P<book>[^/]+)/?$", views.book, name="book"),
    re_path(
        # "<contact id>.vcf", or the name a phone gave a card it created.
        r"^addressbooks/(?P<username>[^/]+)/(?P<book>[^/]+)/(?P<card>[^/]+)$",
        views.card,
        name="card",
    ),
]
