from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("i/<str:token>/", views.enter, name="enter"),
    path("organisation/<int:pk>/", views.organisation_view, name="organisation"),
    path("p/<int:pk>/", views.participation_view, name="participation"),
    path("p/<int:pk>/questionnaire/save/", views.save_view, name="save"),
    path("p/<int:pk>/questionnaire/review/", views.review_view, name="review"),
    path("p/<int:pk>/questionnaire/<slug:section>/", views.section_view, name="section"),
    path("p/<int:pk>/dashboard/", views.dashboard_view, name="dashboard"),
    path("p/<int:pk>/report.pdf", views.report_view, name="report"),
]
