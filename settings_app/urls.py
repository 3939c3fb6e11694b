from django.urls import path
from django.views.generic import RedirectView

from .views import admin_required, types

app_name = "settings_app"
urlpatterns = [
    path("", admin_required(RedirectView.as_view(pattern_name="settings_app:types")), name="index"),
    path("types/", types.type_list, name="types"),
    path("types/reorder/", types.type_reorder, name="type_reorder"),
    path("types/<int:pk>/edit/", types.type_edit, name="type_edit"),
    path("types/<int:pk>/move/", types.type_move, name="type_move"),
    path("types/<int:pk>/delete/", types.type_delete, name="type_delete"),
]
