"""What the OpenAPI schema (/api/schema/) says beyond what drf-spectacular infers.

The editor's TypeScript types are generated from the schema (scripts/generate-api-types), so the
schema has to say what the API really sends: which response fields are always there, and the shape
of the JSON columns (a JSONField alone is "any value").
"""

from __future__ import annotations

from drf_spectacular import openapi
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, with every response field that DRF always renders marked required.

    DRF leaves a field out of a response only when the attribute is missing and the field has no
    default; a field with a default renders the default instead. A model instance has every
    attribute, so a ModelSerializer renders all its fields. drf-spectacular reads ``required`` as
    a request-side flag and lists only required and read-only fields, which would make most of a
    response optional in the generated types.
    """

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction != "response":
            return schema
        serializer = force_instance(serializer)
        every_field = isinstance(serializer, serializers.ModelSerializer)
        properties = schema.get("properties", {})
        always = {
            name
            for name, field in serializer.fields.items()
            if name in properties and (every_field or field.default is not empty)
        }
        required = always | set(schema.get("required", ()))
        if required:
            schema["required"] = sorted(required)
        return schema


def _counts() -> dict:
    return {"type": "object", "additionalProperties": {"type": "integer"}}


@extend_schema_field({"type": "object", "additionalProperties": {"type": "number"}})
class MetricsField(serializers.JSONField):
    """Metric name -> value (error, mean IoU and pixel accuracy in percent; losses as they are)."""


@extend_schema_field({"type": "array", "items": {"type": "integer"}, "minItems": 3, "maxItems": 3})
class ShapeField(serializers.JSONField):
    """A module's per-image tensor shape: [channels, height, width]."""


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class NamesField(serializers.JSONField):
    """A list of names (categories, class folders)."""


@extend_schema_field(_counts())
class CountsField(serializers.JSONField):
    """Name -> how many (images per class, or {"images": n})."""


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {
            "type": "object",
            "properties": {"train": _counts(), "test": _counts()},
            "required": ["train", "test"],
        },
    }
)
class SplitCountsField(serializers.JSONField):
    """Per positive class ("" for segmentation): the images of each split, as the engine splits them."""


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2},
    }
)
class ImageSizesField(serializers.JSONField):
    """Every distinct [height, width] of a dataset's images."""
