from django.urls import path

from . import views

app_name = "editions"
urlpatterns = [
    path("", views.edition_list, name="list"),
    path("new/", views.edition_create, name="create"),
    path("<int:pk>/", views.edition_detail, name="detail"),
    path("<int:pk>/open/", views.edition_open, name="open"),
    path("<int:pk>/close/", views.edition_close, name="close"),
    path("<int:pk>/organisations/add/", views.organisation_add, name="organisation_add"),
    path("<int:pk>/organisations/upload/", views.organisations_upload, name="organisations_upload"),
    path("<int:pk>/invite/", views.invite_all, name="invite_all"),
    path("<int:pk>/remind/", views.remind_all, name="remind_all"),
    path("<int:pk>/export.<str:fmt>", views.export, name="export"),
    path("<int:pk>/import/", views.import_view, name="import"),
    path("<int:pk>/reports/", views.build_start, name="build_start"),
    path("participations/<int:pk>/invite/", views.participation_invite, name="invite"),
    path("participations/<int:pk>/remind/", views.participation_remind, name="remind"),
    path("participations/<int:pk>/reopen/", views.participation_reopen, name="reopen"),
    path("participations/<int:pk>/link/", views.participation_new_link, name="new_link"),
    path("builds/<int:pk>/", views.build_view, name="build"),
    path("builds/<int:pk>/national.pdf", views.build_download, name="build_download"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation"),
    path("organisations/<int:pk>/members/", views.member_invite, name="member_invite"),
]
