from django.urls import path

from . import views

app_name = "pulse"
urlpatterns = [
    path("s/<str:token>/", views.pulse_answer, name="answer"),
    path("organisation/<int:pk>/pulse/", views.pulse_start, name="start"),
    path("pulse/<int:pk>/", views.pulse_detail, name="detail"),
    path("pulse/<int:pk>/open/", views.pulse_open, name="open"),
    path("pulse/<int:pk>/close/", views.pulse_close, name="close"),
    path("pulse/<int:pk>/departments/", views.pulse_departments, name="departments"),
    path("pulse/<int:pk>/link/", views.pulse_new_link, name="new_link"),
]
