"""A choice that has not been made yet is answered as ``null``, never as ``""``.

The models keep "not set" as the empty string (``CharField(choices=…, blank=True)``: the payment method of a
repair not yet completed, the department of a complaint not yet dispatched). ``""`` is not one of the choices,
so the schema's enum would forbid it; the API answers ``null`` instead and the schema marks those fields
nullable, as it does for ``escalate_to`` in the contract.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from rest_framework import serializers

_MT = TypeVar("_MT", bound=models.Model)


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


class ModelSerializer(serializers.ModelSerializer[_MT]):
    """DRF's ModelSerializer whose read-only choice fields answer ``null``, not ``""``, while unset."""

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields: dict[str, serializers.Field[Any, Any, Any, Any]] = super().get_fields()
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
