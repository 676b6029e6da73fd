from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("Consultation requests")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from shatil_portal.caching import (
            DASHBOARD,
            RESPONSE_POLICIES,
            catalog_changed,
            invalidator,
        )

        # Response policies are cached under a version of their own
        # (selectors/followups.py): a change moves only that version on, and
        # only what promises their response time (the catalog pages, the
        # request form) is rendered afresh.
        policy = self.get_model("ResponsePolicy")
        changed = invalidator(RESPONSE_POLICIES)
        post_save.connect(changed, sender=policy, dispatch_uid="policy-saved")
        post_delete.connect(changed, sender=policy, dispatch_uid="policy-deleted")

        # The request form offers the checklist's tools (its optional
        # section): an edit of a tool renders the form afresh.
        tool = self.get_model("PolicyTool")
        post_save.connect(catalog_changed, sender=tool, dispatch_uid="tool-saved")
        post_delete.connect(catalog_changed, sender=tool, dispatch_uid="tool-deleted")

        # The dashboard's outcomes: a completion records one, and the cached
        # figures are computed afresh once it commits.
        outcome = self.get_model("ConsultationOutcome")
        completed = invalidator(DASHBOARD)
        post_save.connect(completed, sender=outcome, dispatch_uid="outcome-saved")
        post_delete.connect(completed, sender=outcome, dispatch_uid="outcome-deleted")
