"""The admin for the researcher: every table, with the fields that matter in the lists."""

from django.contrib import admin

from .models import Answer, Edition, Organisation, Participation, ReportBuild


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("org_id", "name", "sector", "size_class", "email")
    search_fields = ("org_id", "name", "email")


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ("name", "year", "instrument_name", "instrument_version", "status", "synthetic")
    list_filter = ("status", "synthetic")


@admin.register(Participation)
class ParticipationAdmin(admin.ModelAdmin):
    list_display = ("organisation", "edition", "invited_at", "started_at", "submitted_at", "locked")
    list_filter = ("edition", "locked", "imported")
    search_fields = ("organisation__org_id", "organisation__name")
    exclude = ("token_hash",)


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ("participation", "item_key", "value", "version", "updated_at", "updated_by")
    list_filter = ("participation__edition",)
    search_fields = ("item_key", "participation__organisation__org_id")
    readonly_fields = ("version", "updated_at", "updated_by")


@admin.register(ReportBuild)
class ReportBuildAdmin(admin.ModelAdmin):
    list_display = ("edition", "lang", "state", "progress", "created_at", "finished_at")
    readonly_fields = ("analysis",)
