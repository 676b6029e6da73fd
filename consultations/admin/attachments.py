"""A request's files on its admin page: read-only, each downloaded through
the workspace's serving view, which checks the user's access again."""

from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from consultations.admin.scope import ReadOnlyInline
from consultations.models import Attachment
from consultations.selectors.attachments import attachment_workspace_url


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["created_at", "download", "human_size", "content_type", "sender"]
    verbose_name_plural = gettext_lazy("files")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sender_user")

    def has_view_permission(self, request, obj=None):
        # Whoever may open the request's page sees its files (the page is
        # scoped, and the download view checks the request again).
        return True

    @staticmethod
    def _attachment_link(attachment: Attachment):
        return format_html(
            '<a href="{}" download><bdi>{}</bdi></a>',
            attachment_workspace_url(attachment=attachment),
            attachment.name,
        )

    def download(self, attachment):
        return self._attachment_link(attachment)

    download.short_description = gettext_lazy("file")

    def human_size(self, attachment):
        return filesizeformat(attachment.size)

    human_size.short_description = gettext_lazy("size")
