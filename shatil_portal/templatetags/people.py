"""{{ user|display_name }}: shatil_portal.people.display_name in templates."""

from django import template

from shatil_portal import people

register = template.Library()


@register.filter
def display_name(user):
    return people.display_name(user)
