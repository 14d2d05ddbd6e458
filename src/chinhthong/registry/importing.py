"""Applying a registry document (registry/files.py reads it from a file): validate everything
first, then write all or nothing. Each problem names its section, entry and field in plain
words."""

import datetime as dt
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chinhthong.registry import identifiers, schema, succession
from chinhthong.registry.exporting import MODELS
from chinhthong.registry.import_results import Change, ImportRejected, ImportResult, Problem
from chinhthong.registry.snapshots import snapshot_batch
from chinhthong.verify import canonical


def import_registry(
    document: dict, *, dry_run: bool = False, user=None, reason: str = ""
) -> ImportResult:
    """Validate ``document`` against the file format and the current registry, then apply it
    in one transaction unless ``dry_run``. Raises ImportRejected listing every problem."""
    plan = _Plan(document)
    plan.validate()
    result = ImportResult(problems=plan.problems, changes=plan.changes)
    if result.problems:
        raise ImportRejected(result)
    if not dry_run:
        plan.apply(user=user, reason=reason)
        result.applied = True
    return result


class _Plan:
    def __init__(self, document: dict):
        self.document = document
        self.problems: list[Problem] = []
        self.changes: list[Change] = []
        # section -> key -> (unsaved instance with new values, references by key)
        self.entries: dict[str, dict[str, tuple]] = {s: {} for s in schema.SECTIONS}
        self.before: dict[str, dict[str, dict | None]] = {s: {} for s in schema.SECTIONS}
        self.existing = {
            s: {getattr(o, schema.KEY_FIELD[s]): o for o in MODELS[s].objects.all()}
            for s in schema.SECTIONS
        }
        codes = {a.pk: code for code, a in self.existing["agencies"].items()}
        self.existing_successors = {
            code: codes.get(a.successor_id) for code, a in self.existing["agencies"].items()
        }

    def problem(self, section="", index=None, key="", field="", message="") -> None:
        self.problems.append(Problem(section, index, str(key), field, message))

    # --- validation ---------------------------------------------------------------------
    def validate(self) -> None:
        unknown = set(self.document) - {"format", "version", *schema.SECTIONS}
        for name in sorted(unknown, key=str):  # YAML keys may be numbers or null too
            self.problem(message=_("Unknown section “%(name)s”.") % {"name": name})
        fmt = self.document.get("format", schema.FORMAT)
        if fmt != schema.FORMAT or self.document.get("version", schema.VERSION) != schema.VERSION:
            self.problem(
                message=_(
                    "This is not a registry file of version %(version)s (format “%(format)s”)."
                )
                % {"version": schema.VERSION, "format": schema.FORMAT}
            )
        for section in schema.SECTIONS:
            raw = self.document.get(section, [])
            if not isinstance(raw, list):
                self.problem(section, message=_("This section must be a list of entries."))
                continue
            for index, entry in enumerate(raw):
                self._read_entry(section, index, entry)
        self._check_references()
        self._check_parent_cycles()
        self._check_successions()
        self._check_unique_identifiers()
        if not self.problems:
            self._compute_changes()

    def _read_entry(self, section: str, index: int, entry) -> None:
        key_field = schema.KEY_FIELD[section]
        if not isinstance(entry, dict):
            self.problem(section, index, message=_("Each entry must be a mapping of fields."))
            return
        key = entry.get(key_field)
        key = "" if key is None else str(key).strip()
        for name in sorted(set(entry) - set(schema.FIELDS[section]), key=str):
            self.problem(section, index, key, str(name), _("Unknown field."))
        for name in schema.REQUIRED[section]:
            if entry.get(name) in (None, ""):
                self.problem(section, index, key, name, _("This field is required."))
        if not key:
            return
        if key in self.entries[section]:
            self.problem(
                section, index, key, key_field, _("The same key appears twice in the file.")
            )
            return
        existing = self.existing[section].get(key)
        before = (
            {n: _current(section, existing, n) for n in schema.FIELDS[section]}
            if existing
            else None
        )
        instance = existing or MODELS[section]()
        refs = {}
        instance_values = {}
        for name in schema.FIELDS[section]:
            value = entry.get(name)
            if (section, name) in schema.REFERENCES:
                refs[name] = None if value in (None, "") else str(value).strip()
                continue
            converted = self._convert(section, index, key, name, value)
            if converted is not _INVALID:
                instance_values[name] = converted
        for name, value in instance_values.items():
            setattr(instance, name, value)
        if section == "agencies":
            # Its succession is judged on the registry as the file leaves it
            # (_check_successions), not on the references stored before the import.
            instance.successor = instance.succession_document = None
        self._full_clean(section, index, key, instance)
        self.entries[section][key] = (index, instance, refs)
        self.before[section][key] = before

    def _convert(self, section, index, key, name, value):
        if name in schema.BOOL_FIELDS:
            if value is None:
                return schema.BOOL_DEFAULTS[name]
            if isinstance(value, bool):
                return value
            self.problem(section, index, key, name, _("Write true or false."))
            return _INVALID
        if name in schema.DATE_FIELDS:
            if value in (None, ""):
                return None
            if isinstance(value, dt.date):
                return value
            try:
                return dt.date.fromisoformat(str(value))
            except ValueError:
                self.problem(
                    section,
                    index,
                    key,
                    name,
                    _("“%(value)s” is not a date; write it as YYYY-MM-DD.") % {"value": value},
                )
                return _INVALID
        if value is None:
            return ""
        if not isinstance(value, str | int):
            self.problem(section, index, key, name, _("Write this field as text."))
            return _INVALID
        return str(value).strip()

    def _full_clean(self, section, index, key, instance) -> None:
        exclude = [f for (s, f) in schema.REFERENCES if s == section]
        try:
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                for message in messages:
                    self.problem(section, index, key, "" if name == "__all__" else name, message)

    def _check_references(self) -> None:
        for (section, name), target in schema.REFERENCES.items():
            known = set(self.entries[target]) | set(self.existing[target])
            for key, (index, _instance, refs) in self.entries[section].items():
                ref = refs.get(name)
                if ref and ref not in known:
                    self.problem(
                        section,
                        index,
                        key,
                        name,
                        _("“%(ref)s” is not in the file nor in the registry.") % {"ref": ref},
                    )

    def _check_parent_cycles(self) -> None:
        parents = {code: self._parent_code(a) for code, a in self.existing["agencies"].items()}
        parents.update(
            {k: refs.get("parent") for k, (_i, _o, refs) in self.entries["agencies"].items()}
        )
        for key, (index, _instance, _refs) in self.entries["agencies"].items():
            seen, current = {key}, parents.get(key)
            while current:
                if current in seen:
                    self.problem(
                        "agencies",
                        index,
                        key,
                        "parent",
                        _("The parent agencies form a loop through “%(code)s”.")
                        % {"code": current},
                    )
                    break
                seen.add(current)
                current = parents.get(current)

    def _check_unique_identifiers(self) -> None:
        """Identifiers must be unique across the registry as it will be after the import."""
        final = {slug: ch for slug, ch in self.existing["channels"].items()}
        final.update({slug: inst for slug, (_i, inst, _r) in self.entries["channels"].items()})
        owners: dict[tuple, list[str]] = defaultdict(list)
        for slug, channel in sorted(final.items()):
            for key in _identity_keys(channel):
                owners[key].append(slug)
        for (name, *_rest), slugs in owners.items():
            if len(slugs) < 2:
                continue
            for slug in slugs:
                if slug not in self.entries["channels"]:
                    continue
                index = self.entries["channels"][slug][0]
                others = ", ".join(s for s in slugs if s != slug)
                self.problem(
                    "channels",
                    index,
                    slug,
                    name,
                    _("This identifier is already used by channel “%(others)s”.")
                    % {"others": others},
                )

    def _check_successions(self) -> None:
        """No agency succeeds itself, no loop of successors, a date with every successor,
        judged on the registry as it will be after the import."""
        successors = dict(self.existing_successors)
        successors.update(
            {k: refs.get("successor") for k, (_i, _o, refs) in self.entries["agencies"].items()}
        )
        for key, (index, instance, refs) in self.entries["agencies"].items():
            found = succession.problems(
                key,
                refs.get("successor"),
                instance.succeeded_on,
                refs.get("succession_document"),
                successor_of=successors.get,
            )
            for name, message in found.items():
                if not any(
                    (p.section, p.key, p.field) == ("agencies", key, name) for p in self.problems
                ):  # a date that could not be read is already named
                    self.problem("agencies", index, key, name, message)

    def _parent_code(self, agency) -> str | None:
        if not agency.parent_id:
            return None
        return next(a.code for a in self.existing["agencies"].values() if a.pk == agency.parent_id)

    def _compute_changes(self) -> None:
        for section in schema.SECTIONS:
            for key, (_index, instance, refs) in self.entries[section].items():
                before = self.before[section][key]
                if before is None:
                    self.changes.append(Change(section, key, "create"))
                    continue
                changed = tuple(
                    name
                    for name in schema.FIELDS[section]
                    if before[name] != (refs[name] if name in refs else getattr(instance, name))
                )
                self.changes.append(
                    Change(section, key, "update" if changed else "unchanged", changed)
                )

    # --- applying ---------------------------------------------------------------------
    def apply(self, *, user, reason: str) -> None:
        with transaction.atomic(), snapshot_batch():
            saved = {s: dict(self.existing[s]) for s in schema.SECTIONS}
            for section in schema.SECTIONS:
                for key, (_index, instance, refs) in self.entries[section].items():
                    action = self._action(section, key)
                    if action == "unchanged":
                        continue
                    for name, ref in refs.items():
                        target = schema.REFERENCES[(section, name)]
                        # An agency not saved yet is linked below, once every agency exists.
                        setattr(instance, name, saved[target].get(ref) if ref else None)
                    _attribute(instance, user, reason)
                    instance.save()
                    saved[section][key] = instance
                if section == "agencies":
                    self._link_agencies(saved, user, reason)

    def _link_agencies(self, saved, user, reason) -> None:
        """Parents and successors that were created after the agency pointing at them."""
        for key, (_index, instance, refs) in self.entries["agencies"].items():
            if self._action("agencies", key) == "unchanged":
                continue
            changed = False
            for section, name in schema.SELF_REFERENCES:
                target = saved[section][refs[name]] if refs.get(name) else None
                if getattr(instance, f"{name}_id") != (target.pk if target else None):
                    setattr(instance, name, target)
                    changed = True
            if changed:
                _attribute(instance, user, reason)
                instance.save()

    def _action(self, section: str, key: str) -> str:
        for change in self.changes:
            if change.section == section and change.key == key:
                return change.action
        return "create"


_INVALID = object()


def _identity_keys(channel) -> list[tuple]:
    keys = []
    if channel.host:
        keys.append(("host", channel.kind, channel.host))
    if channel.handle:
        keys.append(("handle", channel.kind, channel.handle))
    if channel.facebook_username:
        keys.append(("facebook_username", canonical.facebook_match_key(channel.facebook_username)))
    for name in identifiers.GLOBALLY_UNIQUE:
        if name != "facebook_key" and getattr(channel, name):
            keys.append((name, getattr(channel, name)))
    return keys


def _current(section: str, obj, name: str):
    """A stored value in the form the file uses (references as the target's key)."""
    target = schema.REFERENCES.get((section, name))
    if target:
        related_id = getattr(obj, f"{name}_id")
        if related_id is None:
            return None
        return getattr(getattr(obj, name), schema.KEY_FIELD[target])
    return getattr(obj, name)


def _attribute(instance, user, reason: str) -> None:
    """Who and why, for django-simple-history."""
    if user is not None:
        instance._history_user = user
    if reason:
        instance._change_reason = reason
