from django.urls import path
from django.views.generic import RedirectView

from settings_app.views import (
    admin_required,
    admins,
    currency,
    fields,
    sign_in,
    tags,
    types,
    webforms,
)

app_name = "settings_app"
urlpatterns = [
    path("", admin_required(RedirectView.as_view(pattern_name="settings_app:types")), name="index"),
    path("types/", types.type_list, name="types"),
    path("types/reorder/", types.type_reorder, name="type_reorder"),
    path("types/<int:pk>/edit/", types.type_edit, name="type_edit"),
    path("types/<int:pk>/move/", types.type_move, name="type_move"),
    path("types/<int:pk>/delete/", types.type_delete, name="type_delete"),
    path("fields/", fields.field_list, name="fields"),
    path("fields/reorder/", fields.field_reorder, name="field_reorder"),
    path("fields/<int:pk>/edit/", fields.field_edit, name="field_edit"),
    path("fields/<int:pk>/move/", fields.field_move, name="field_move"),
    path("fields/<int:pk>/delete/", fields.field_delete, name="field_delete"),
    path("currency/", currency.currency_settings, name="currency"),
    path("admins/", admins.admin_list, name="admins"),
    path("admins/<int:pk>/", admins.admin_set, name="admin_set"),
    path("sign-in/", sign_in.sign_in_settings, name="sign_in"),
    path("tags/", tags.tag_list, name="tags"),
    path("tags/delete-unused/", tags.tags_delete_unused, name="tags_delete_unused"),
    path("tags/<int:pk>/rename/", tags.tag_rename, name="tag_rename"),
    path("tags/<int:pk>/merge/", tags.tag_merge, name="tag_merge"),
    path("tags/<int:pk>/delete/", tags.tag_delete, name="tag_delete"),
    path("webforms/", webforms.webform_list, name="webforms"),
    path("webforms/new/<slug:kind>/", webforms.webform_create, name="webform_create"),
    path("webforms/<int:pk>/", webforms.webform_detail, name="webform"),
    path("webforms/<int:pk>/preview/", webforms.webform_preview, name="webform_preview"),
    path("webforms/<int:pk>/edit/", webforms.webform_edit, name="webform_edit"),
    path("webforms/<int:pk>/active/", webforms.webform_set_active, name="webform_set_active"),
    path("webforms/<int:pk>/new-key/", webforms.webform_regenerate_key, name="webform_new_key"),
    path("webforms/<int:pk>/delete/", webforms.webform_delete, name="webform_delete"),
]
