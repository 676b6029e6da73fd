from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("Consultation requests")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from shatil_portal.caching import catalog_changed

        # Response policies are read from the catalog cache
        # (selectors/followups.py): a change moves its version on.
        policy = self.get_model("ResponsePolicy")
        post_save.connect(catalog_changed, sender=policy, dispatch_uid="policy-saved")
        post_delete.connect(
            catalog_changed, sender=policy, dispatch_uid="policy-deleted"
        )
