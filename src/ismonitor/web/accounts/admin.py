from django.contrib import admin

from .models import MemberInvitation, Membership


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organisation", "created_at")
    search_fields = ("user__username", "organisation__org_id", "organisation__name")


@admin.register(MemberInvitation)
class MemberInvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "organisation", "created_at", "expires_at", "accepted_at")
    readonly_fields = ("token_hash", "accepted_by", "accepted_at")
