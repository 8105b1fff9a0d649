"""Template context: what role the visitor has, for the navigation."""

from .models import is_researcher


def roles(request):
    user = getattr(request, "user", None)
    researcher = bool(user and is_researcher(user))
    member_of = []
    if user is not None and user.is_authenticated and not researcher:
        member_of = [m.organisation for m in user.memberships.select_related("organisation")]
    return {"is_researcher": researcher, "member_of": member_of}
