from django.urls import path

from activities.tasks import views

app_name = "tasks"
urlpatterns = [
    path("", views.task_list, name="list"),
    path("new/", views.task_add, name="add"),
    path("bulk/", views.task_bulk, name="bulk"),
    path("<int:pk>/", views.task_edit, name="edit"),
    path("<int:pk>/done/", views.task_done, name="done"),
    path("<int:pk>/delete/", views.task_delete, name="delete"),
]
