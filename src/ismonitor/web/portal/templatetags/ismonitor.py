"""Template filters for the instrument's own texts, which carry Dutch and English."""

from django import template

register = template.Library()


@register.filter
def get_lang(text, lang: str) -> str:
    """An instrument text (``Text``) in the page's language."""
    if text is None:
        return ""
    return text.get(lang)
