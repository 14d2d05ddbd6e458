from django.utils.functional import SimpleLazyObject


def site_identity(request) -> dict:
    """``site_identity`` on every page, read from the database only by a page that shows it."""
    from chinhthong.portal import services

    return {"site_identity": SimpleLazyObject(services.identity)}
