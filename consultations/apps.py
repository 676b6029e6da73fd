from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("Consultation requests")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from consultations.selectors.followups import RESPONSE_POLICIES
        from shatil_portal.caching import invalidator

        # Response policies are cached under a version of their own
        # (selectors/followups.py): a change moves only that version on,
        # and the cached catalog pages stay.
        policy = self.get_model("ResponsePolicy")
        changed = invalidator(RESPONSE_POLICIES)
        post_save.connect(changed, sender=policy, dispatch_uid="policy-saved")
        post_delete.connect(changed, sender=policy, dispatch_uid="policy-deleted")
