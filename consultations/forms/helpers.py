"""The one crispy FormHelper builder that every form of the portal uses."""

import hashlib

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit


def form_helper(
    *layout,
    action: str | None = None,
    submit_label=None,
    submit_class: str = "btn-primary",
) -> FormHelper:
    """A helper for a form drawn by crispy.

    Without `action`, the page's template writes the <form> tag and its CSRF
    token, and crispy draws only the fields. With `action`, crispy draws the
    whole form, posting to it. `layout` orders the fields (all of them in
    their order when empty); `submit_label` adds a submit button after them.
    """
    helper = FormHelper()
    if action is None:
        helper.form_tag = False
        helper.disable_csrf = True
    else:
        helper.form_action = action
        helper.form_method = "post"
    if layout:
        helper.layout = Layout(*layout)
    if submit_label is not None:
        # A page may hold many such forms (one per step of a plan): each
        # button's id comes from its form's action, so no two are the same.
        css_id = (
            f"submit-{hashlib.sha256(action.encode()).hexdigest()[:10]}"
            if action
            else None
        )
        helper.add_input(
            Submit("submit", submit_label, css_class=submit_class, css_id=css_id)
        )
    return helper
