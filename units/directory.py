"""The unit directory: loading reference data, and resolving a name as a document writes it.

A plan writes "市政府办公室", "市 人民政府办公室" or "聊城市人民政府办公室" for one unit, and
"各县(市、区)人民政府" or "各县市区政府" for one group. `Directory` answers which unit or group a
name means, from four queries however many names are asked.
"""

import re
import unicodedata

from django.db import transaction

from .models import Unit, UnitAlias, UnitGroup

_SPACES = re.compile(r"\s+")
_SUFFIXES = ("等有关单位", "等有关部门", "等单位", "等部门", "等")
_EDGE_PUNCTUATION = "、，,；;：:。．.·"


def normalize_name(name):
    """The comparable form of a unit or group name: no spaces, half-width brackets, no "等单位" suffix.

    NFKC folds full-width letters, digits and brackets; the Chinese enumeration comma 、 is kept.
    """
    text = unicodedata.normalize("NFKC", name or "")
    text = _SPACES.sub("", text).strip(_EDGE_PUNCTUATION)
    for suffix in _SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    return text.strip(_EDGE_PUNCTUATION)


class Directory:
    """Every unit and group by every name they go by (normalised)."""

    def __init__(self):
        self.units = {}
        self.groups = {}
        units = list(Unit.objects.filter(is_active=True))
        by_pk = {unit.pk: unit for unit in units}
        for unit in units:
            self.units.setdefault(normalize_name(unit.short_name), unit)
        for alias in UnitAlias.objects.filter(unit__is_active=True):
            self.units.setdefault(normalize_name(alias.name), by_pk[alias.unit_id])
        for unit in units:
            self.units[normalize_name(unit.name)] = unit
        for group in UnitGroup.objects.prefetch_related("members"):
            for name in [group.name, *group.aliases]:
                self.groups.setdefault(normalize_name(name), group)

    def resolve(self, name):
        """The `Unit` or `UnitGroup` the name means, or None. A unit wins over a group of the same name."""
        key = normalize_name(name)
        return self.units.get(key) or self.groups.get(key)


@transaction.atomic
def load_directory(data):
    """Create or update units, their aliases and the groups from reference data (fixtures/units.json).

    Units are matched by full name, groups by name; existing rows are updated, nothing is deleted.
    Returns the number of units and groups written.
    """
    units = {}
    for row in data["units"]:
        unit, _created = Unit.objects.update_or_create(
            name=row["name"],
            defaults={
                "short_name": row["short_name"],
                "kind": row["kind"],
                "order": row.get("order", 0),
                "is_active": row.get("is_active", True),
            },
        )
        units[unit.name] = unit
    for row in data["units"]:
        unit = units[row["name"]]
        if row.get("parent"):
            unit.parent = units.get(row["parent"]) or Unit.objects.get(name=row["parent"])
            unit.save(update_fields=["parent"])
        for alias in row.get("aliases", []):
            UnitAlias.objects.update_or_create(name=alias, defaults={"unit": unit})
    for row in data.get("groups", []):
        group, _created = UnitGroup.objects.update_or_create(
            name=row["name"],
            defaults={
                "aliases": row.get("aliases", []),
                "selective": row.get("selective", False),
                "order": row.get("order", 0),
            },
        )
        group.members.set([units.get(name) or Unit.objects.get(name=name) for name in row["members"]])
    return len(data["units"]), len(data.get("groups", []))
