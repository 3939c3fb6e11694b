from django.urls import path

from privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.find, name="find"),
    path("exports/", views.export_list, name="exports"),
    path("exports/new/", views.export_new, name="export_new"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("erase/", views.erase, name="erase"),
    path("erase/contact/<int:pk>/", views.erase_contact, name="erase_contact"),
    path("erasures/", views.erasure_list, name="erasures"),
    path("register/", views.register_list, name="register"),
    path("register.csv", views.register_csv, name="register_csv"),
]
