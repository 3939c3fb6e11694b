from django.urls import path

from api.webhooks import views

app_name = "webhooks"
urlpatterns = [
    path("", views.subscription_list, name="list"),
    path("new/", views.subscription_edit, name="create"),
    path("<int:pk>/", views.subscription_deliveries, name="deliveries"),
    path("<int:pk>/edit/", views.subscription_edit, name="edit"),
    path("<int:pk>/delete/", views.subscription_delete, name="delete"),
    path("<int:pk>/test/", views.subscription_test, name="test"),
    path(
        "<int:pk>/deliveries/<int:delivery_pk>/redeliver/",
        views.delivery_redeliver,
        name="redeliver",
    ),
]
