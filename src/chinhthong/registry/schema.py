"""The registry's file format (import, export and the published snapshot): which fields each
section carries, in order. One description serves reading and writing."""

FORMAT = "chinhthong-registry"
VERSION = 1

SECTIONS = ("documents", "agencies", "channels", "report_recipients")

KEY_FIELD = {
    "documents": "number",
    "agencies": "code",
    "channels": "slug",
    "report_recipients": "code",
}

FIELDS = {
    "documents": ("number", "date", "issuer", "title", "url"),
    "agencies": (
        "code",
        "name",
        "name_en",
        "short_name",
        "parent",
        "level",
        "address",
        "phone",
        "email",
        "website",
        "notes",
        "successor",
        "succeeded_on",
        "succession_document",
    ),
    "channels": (
        "slug",
        "agency",
        "kind",
        "name",
        "url",
        "identifier_as_printed",
        "host",
        "facebook_username",
        "facebook_page_id",
        "zalo_oa_id",
        "android_package",
        "ios_app_id",
        "mail_address",
        "phone",
        "handle",
        "verified_badge",
        "status",
        "valid_from",
        "valid_to",
        "source",
        "last_verified",
        "notes",
    ),
    "report_recipients": (
        "code",
        "name",
        "kind",
        "agency",
        "description",
        "email",
        "phone",
        "address",
        "active",
        "source",
    ),
}

REQUIRED = {
    "documents": ("number", "issuer"),
    "agencies": ("code", "name", "level"),
    "channels": ("slug", "agency", "kind", "name", "status"),
    "report_recipients": ("code", "name", "kind"),
}

# field -> (section it points to); stored as the target's key in files.
REFERENCES = {
    ("agencies", "parent"): "agencies",
    ("agencies", "successor"): "agencies",
    ("agencies", "succession_document"): "documents",
    ("channels", "agency"): "agencies",
    ("channels", "source"): "documents",
    ("report_recipients", "agency"): "agencies",
    ("report_recipients", "source"): "documents",
}

# References from an agency to agencies: linked once every agency of the file exists.
SELF_REFERENCES = {("agencies", "parent"), ("agencies", "successor")}

DATE_FIELDS = {"date", "valid_from", "valid_to", "last_verified", "succeeded_on"}
BOOL_FIELDS = {"verified_badge", "active"}
BOOL_DEFAULTS = {"verified_badge": False, "active": True}

# Limits of what the importer reads. The shipped registry is 11 kB and 3 levels deep (the
# document, a section, an entry); a province's full registry stays far below both.
MAX_FILE_BYTES = 10 * 2**20
MAX_DEPTH = 20
