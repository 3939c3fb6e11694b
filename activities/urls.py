from django.urls import path

from activities import views

app_name = "activities"
urlpatterns = [
    path("contact/<int:pk>/", views.timeline, name="timeline"),
    path("contact/<int:pk>/add/", views.event_add, name="event_add"),
    path("event/<int:pk>/edit/", views.event_edit, name="event_edit"),
    path("event/<int:pk>/delete/", views.event_delete, name="event_delete"),
    path("file/<int:pk>/", views.attachment, name="attachment"),
]
