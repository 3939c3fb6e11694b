from django.urls import path

from . import views

app_name = "contacts"
urlpatterns = [
    path("", views.contact_list, name="list"),
    path("new/<slug:kind>/", views.contact_create, name="create"),
    path("<int:pk>/", views.contact_detail, name="detail"),
    path("<int:pk>/edit/", views.contact_edit, name="edit"),
    path("<int:pk>/delete/", views.contact_delete, name="delete"),
    path("<int:pk>/history/", views.contact_history, name="history"),
    path("<int:pk>/link-person/", views.company_link_person, name="link_person"),
    path("<int:pk>/photo/<slug:size>/", views.contact_photo, name="photo"),
    path("suggest/<slug:what>/", views.suggest, name="suggest"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notification_read, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("duplicates/", views.duplicate_list, name="duplicates"),
    path("merge/", views.contact_merge, name="merge"),
    path("trash/", views.trash_list, name="trash"),
    path("trash/<int:pk>/restore/", views.trash_restore, name="trash_restore"),
    path("trash/<int:pk>/purge/", views.trash_purge, name="trash_purge"),
    path("bulk/", views.contact_bulk, name="bulk"),
    path("bulk/<int:pk>/", views.bulk_job, name="bulk_job"),
    path("export.csv", views.contact_export_csv, name="export_csv"),
    path("export.vcf", views.contact_export_vcard, name="export_vcard"),
    path("<int:pk>/vcard/", views.contact_vcard, name="vcard"),
]
