"""How the portal names a staff member on every page: the full name, else the
username (accounts made before a name was entered)."""


def display_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()
