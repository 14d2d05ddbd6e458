"""Any change to the registry asks for a new published snapshot."""

from django.db.models.signals import post_delete, post_save

from chinhthong.registry import snapshots

_UID = "chinhthong.registry.snapshot"


def _changed(sender, **kwargs) -> None:
    if kwargs.get("raw"):
        return  # fixture loading
    snapshots.schedule_rebuild()


def connect() -> None:
    from chinhthong.registry.models import Agency, Channel, ReportRecipient, SourceDocument

    for model in (Agency, Channel, ReportRecipient, SourceDocument):
        post_save.connect(_changed, sender=model, dispatch_uid=f"{_UID}.save.{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{_UID}.delete.{model.__name__}")
