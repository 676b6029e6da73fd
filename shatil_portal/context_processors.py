from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language_info


def language_links(request):
    """Links to the current page in each language, for the header's switcher."""
    path = request.get_full_path()
    links = []
    for code, _name in settings.LANGUAGES:
        info = get_language_info(code)
        links.append(
            {
                "code": code,
                "name_local": info["name_local"],
                "bidi": info["bidi"],
                "url": translate_url(path, code),
            }
        )
    return {"language_links": links}
