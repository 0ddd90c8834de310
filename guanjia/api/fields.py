"""A choice that has not been made yet is answered as ``null``, never as ``""``; and a model serializer's fields
are built once per class, not once per instance.

The models keep "not set" as the empty string (``CharField(choices=…, blank=True)``: the payment method of a
repair not yet completed, the department of a complaint not yet dispatched). ``""`` is not one of the choices,
so the schema's enum would forbid it; the API answers ``null`` instead and the schema marks those fields
nullable, as it does for ``escalate_to`` in the contract.
"""

from __future__ import annotations

import copy
import threading
from typing import Any, TypeVar

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from rest_framework import serializers
from rest_framework.relations import ManyRelatedField

_MT = TypeVar("_MT", bound=models.Model)
_F = TypeVar("_F", bound=serializers.Field[Any, Any, Any, Any])


class UnsetChoiceField(serializers.ChoiceField):
    """A read-only choice answered as ``null`` while it is not set."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> Any:
        if value in ("", None):
            return None
        return super().to_representation(value)


def unset_as_null(model_field: object) -> bool:
    """Whether a model field keeps "not set" as ``""`` among fixed choices."""
    return (
        isinstance(model_field, models.CharField)
        and bool(model_field.choices)
        and model_field.blank
        and not model_field.null
    )


_Fields = dict[str, serializers.Field[Any, Any, Any, Any]]

#: The fields each serializer class builds from its model, before any instance binds them; see BuiltOnceSerializer.
_built: dict[type, _Fields] = {}
_built_lock = threading.Lock()


class BuiltOnceSerializer(serializers.ModelSerializer[_MT]):
    # DRF's ModelSerializer that reads its model once per class instead of once per instance.
    #
    # DRF rebuilds every field of a ModelSerializer (``build_field``: model introspection, choices, validators)
    # each time a serializer is made (3 ms of the 14 ms a registration takes in-process, for ComplaintSerializer),
    # and a list makes one per row for its nested rows (the deadlines of each complaint, the lines of each repair).
    # The built fields depend only on the class (its ``Meta`` and declared fields), never on the instance, its
    # context or the request, so they are built once and every instance gets copies (unbound, ``copy_fields``).
    # Querysets are never evaluated on the shared originals, and scoped fields (``ScopedPrimaryKeyField``)
    # filter by the request in ``get_queryset``, so nothing of one request reaches the next. A subclass whose
    # fields depend on the instance must override ``get_fields`` and not call this one.
    # (A comment, not a docstring: drf-spectacular would show a docstring as the description of every
    # serializer built on this class.)

    def build_fields(self) -> _Fields:
        """The fields DRF builds for this class (an override may adjust them; they are cached per class)."""
        fields: _Fields = super().get_fields()
        return fields

    def get_fields(self) -> _Fields:
        cls = type(self)
        built = _built.get(cls)
        if built is None:
            with _built_lock:
                built = _built.get(cls)
                if built is None:
                    built = _built[cls] = self.build_fields()
        return copy_fields(built)


def copy_fields(template: _Fields) -> _Fields:
    """Unbound copies of ``template``'s fields for one serializer instance, made without rebuilding them.

    ``copy.deepcopy`` (DRF's way) calls each field's ``__init__`` again with deep copies of its arguments (its
    choices, its queryset, its labels): most of the time a serializer takes. A flat field keeps nothing of its use
    but what ``bind`` sets on it (its name, parent, source, label), so a shallow copy is a field of its own; its
    choices, validators and queryset are shared read-only (a related field queries ``queryset.all()``). A field
    holding other fields (a nested serializer, a list, a many-related field) binds them to itself when it is made,
    so it is deep-copied as DRF does."""
    return {name: copy.deepcopy(field) if _holds_fields(field) else _shallow(field) for name, field in template.items()}


def _shallow(field: _F) -> _F:
    # ``copy.copy`` without its generic machinery (``__reduce_ex__``): the same class, the same attributes.
    twin: _F = object.__new__(type(field))
    twin.__dict__.update(field.__dict__)
    return twin


def _holds_fields(field: serializers.Field[Any, Any, Any, Any]) -> bool:
    return isinstance(field, serializers.BaseSerializer | ManyRelatedField) or hasattr(field, "child")


class ModelSerializer(BuiltOnceSerializer[_MT]):
    """DRF's ModelSerializer whose read-only choice fields answer ``null``, not ``""``, while unset."""

    def build_fields(self) -> _Fields:
        fields = super().build_fields()
        model: type[models.Model] = self.Meta.model
        for name, field in fields.items():
            if type(field) is not serializers.ChoiceField or not field.read_only:
                continue
            source = field.source if isinstance(field.source, str) else name
            try:
                model_field = model._meta.get_field(source)
            except FieldDoesNotExist:
                continue
            if not isinstance(model_field, models.CharField) or not unset_as_null(model_field):
                continue
            kwargs: dict[str, Any] = {"choices": model_field.choices, "label": field.label}
            if field.help_text:
                kwargs["help_text"] = field.help_text
            if source != name:
                kwargs["source"] = source
            fields[name] = UnsetChoiceField(**kwargs)
        return fields
