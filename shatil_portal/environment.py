"""Reading settings from the environment, strictly.

django-environ reads any boolean it does not recognize as false, so a typo
or a comment left on the line (`DJANGO_HTTPS=true  # on`, as a systemd
EnvironmentFile= passes it) silently switched HTTPS and the admin's two-factor
sign-in off. Here a boolean or number that cannot be parsed stops start-up
with an ImproperlyConfigured naming the variable and its value, and an empty
value means the default, as if the line were absent.
"""

import environ
from django.core.exceptions import ImproperlyConfigured

TRUE_STRINGS = frozenset({"true", "yes", "on", "1"})
FALSE_STRINGS = frozenset({"false", "no", "off", "0"})


class Env(environ.Env):
    def get_value(self, var, cast=None, default=environ.Env.NOTSET, **kwargs):
        raw = self.ENVIRON.get(f"{self.prefix}{var}")
        if raw is not None and raw.strip() == "":
            if default is self.NOTSET:
                raise ImproperlyConfigured(f"Set the {var} environment variable.")
            return default
        try:
            return super().get_value(var, cast=cast, default=default, **kwargs)
        except (ValueError, TypeError) as exc:
            kind = getattr(cast, "__name__", "value")
            raise ImproperlyConfigured(
                f"{var}={raw!r} is not a valid {kind}"
                + (": use true or false." if cast is bool else ".")
            ) from exc

    @classmethod
    def parse_value(cls, value, cast):
        if cast is bool and isinstance(value, str):
            word = value.strip().lower()
            if word in TRUE_STRINGS:
                return True
            if word in FALSE_STRINGS:
                return False
            raise ValueError(value)
        return super().parse_value(value, cast)
