"""Template context: what role the visitor has, for the navigation."""

from .models import is_researcher


def roles(request):
    from ..portal.access import SESSION_KEY

    user = getattr(request, "user", None)
    researcher = bool(user and is_researcher(user))
    member_of = []
    if user is not None and user.is_authenticated and not researcher:
        member_of = [m.organisation for m in user.memberships.select_related("organisation")]
    session = getattr(request, "session", None)
    # came in through an organisation's invitation link, without an account
    by_link = bool(session is not None and session.get(SESSION_KEY))
    return {"is_researcher": researcher, "member_of": member_of, "by_link": by_link}
