"""Input and output shapes of the media API (SPEC §3 `media`)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.utils import html

from ..models import MediaItem, MediaKind, MediaStatus
from ..selectors import media_public_urls


@extend_schema_field(serializers.ListField(child=serializers.CharField(max_length=100)))
class TagListField(serializers.Field):
    """Tags as a list, a comma-separated string, or a repeated multipart field."""

    def get_value(self, dictionary):
        if html.is_html_input(dictionary):
            if self.field_name not in dictionary:
                return empty
            return dictionary.getlist(self.field_name)
        return dictionary.get(self.field_name, empty)

    def to_internal_value(self, data) -> list[str]:
        if isinstance(data, str):
            data = [data]
        if not isinstance(data, list | tuple) or not all(isinstance(v, str) for v in data):
            raise serializers.ValidationError(
                "Give tags as a list of strings or a comma-separated string."
            )
        return [part.strip() for value in data for part in value.split(",") if part.strip()]

    def to_representation(self, value):
        return list(value)


class MediaItemFilterInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MediaKind.choices, required=False)
    status = serializers.ChoiceField(choices=MediaStatus.choices, required=False)
    tag = serializers.CharField(required=False, help_text="Exact tag name, any case.")
    q = serializers.CharField(
        required=False, help_text="Words searched in display name, title, alt text, caption, tags."
    )
    availability = serializers.ChoiceField(
        choices=["available", "scheduled", "expired"],
        required=False,
        help_text="R27: inside its window now, not open yet, or closed.",
    )


class MediaItemUploadInput(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True, use_url=False)
    filename = serializers.CharField(
        required=False, help_text="Overrides the uploaded part's file name (e.g. for blobs)."
    )
    title = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    alt_text = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    caption = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    display_name = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=255
    )
    tags = TagListField(required=False, default=list)
    transcript = serializers.CharField(required=False, allow_blank=True, default="")
    video_thumbnail = serializers.FileField(required=False, use_url=False)
    video_captions = serializers.FileField(required=False, use_url=False)


class MediaItemUpdateInput(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, max_length=300)
    alt_text = serializers.CharField(required=False, allow_blank=True, max_length=500)
    caption = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    description = serializers.CharField(required=False, allow_blank=True)
    display_name = serializers.CharField(required=False, max_length=255)
    transcript = serializers.CharField(required=False, allow_blank=True)
    tags = TagListField(required=False)
    focal_x = serializers.FloatField(required=False, min_value=0.0, max_value=1.0)
    focal_y = serializers.FloatField(required=False, min_value=0.0, max_value=1.0)
    available_from = serializers.DateTimeField(
        required=False, allow_null=True, help_text="R27: not served before (null clears)."
    )
    expires_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="R27: not served from then on (null clears)."
    )
    usage_rights = serializers.CharField(
        required=False, allow_blank=True, help_text="Licence, credit or restrictions."
    )


class SourceOutput(serializers.Serializer):
    url = serializers.URLField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    format = serializers.ChoiceField(choices=["avif", "webp", "jpeg", "png"])


class PlaceholderOutput(serializers.Serializer):
    blurhash = serializers.CharField()
    color = serializers.CharField(help_text="Dominant colour, #rrggbb.")


class MediaItemOutput(serializers.ModelSerializer):
    tags = serializers.SerializerMethodField()
    public_url = serializers.SerializerMethodField(
        help_text="Stable URL of the file; public once the item is published."
    )
    renditions = serializers.SerializerMethodField(help_text="Rendition name -> URL.")
    sources = serializers.SerializerMethodField(
        help_text="The width ladder (url, width, height, format), as shop answers carry it for srcset."
    )
    placeholder = serializers.SerializerMethodField(
        help_text="BlurHash and dominant colour to show while the image loads; null before renditions."
    )
    uploaded_by = serializers.SerializerMethodField(
        help_text="Username of the uploader; null for imports and system uploads."
    )
    availability = serializers.SerializerMethodField(
        help_text="R27: `available`, `scheduled` (window not open yet) or `expired`."
    )

    class Meta:
        model = MediaItem
        fields = [
            "id",
            "public_id",
            "kind",
            "status",
            "display_name",
            "original_filename",
            "title",
            "alt_text",
            "caption",
            "description",
            "tags",
            "mime_type",
            "size",
            "checksum",
            "width",
            "height",
            "focal_x",
            "focal_y",
            "duration_seconds",
            "transcript",
            "public_url",
            "renditions",
            "sources",
            "placeholder",
            "version",
            "uploaded_by",
            "file_version",
            "available_from",
            "expires_at",
            "availability",
            "usage_rights",
            "created_at",
            "updated_at",
            "published_at",
        ]
        read_only_fields = fields

    def _urls(self, item: MediaItem):
        cache = self.context.setdefault("_urls", {})
        if item.pk not in cache:
            cache[item.pk] = media_public_urls(item, self.context.get("request"))
        return cache[item.pk]

    def get_tags(self, item: MediaItem) -> list[str]:
        return sorted((t.name for t in item.tags.all()), key=str.lower)

    def get_uploaded_by(self, item: MediaItem) -> str | None:
        return item.created_by.get_username() if item.created_by_id else None

    def get_public_url(self, item: MediaItem) -> str:
        return self._urls(item).url

    @extend_schema_field(serializers.DictField(child=serializers.URLField()))
    def get_renditions(self, item: MediaItem) -> dict[str, str]:
        return self._urls(item).renditions

    @extend_schema_field(SourceOutput(many=True))
    def get_sources(self, item: MediaItem) -> list[dict]:
        return self._urls(item).sources

    @extend_schema_field(PlaceholderOutput(allow_null=True))
    def get_placeholder(self, item: MediaItem) -> dict | None:
        return item.placeholder or None

    def get_availability(self, item: MediaItem) -> str:
        return item.availability()


class MediaItemUploadOutput(MediaItemOutput):
    duplicate = serializers.BooleanField(
        help_text="True when the same bytes were already in the library (200, not 201)."
    )

    class Meta(MediaItemOutput.Meta):
        fields = [*MediaItemOutput.Meta.fields, "duplicate"]
        read_only_fields = fields


class MediaUsageOutput(serializers.Serializer):
    type = serializers.CharField()
    model = serializers.CharField()
    id = serializers.JSONField()
    label = serializers.CharField()
    description = serializers.CharField()


class MediaInUseOutput(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    used_by = MediaUsageOutput(many=True)


class MediaUnpublishInput(serializers.Serializer):
    force = serializers.BooleanField(
        default=False,
        help_text="Unpublish although published content shows it; those answers drop it at once.",
    )


class MediaPublishedUsageOutput(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    used_by = serializers.ListField(child=serializers.CharField())
    count = serializers.IntegerField()


class MediaFileReplaceInput(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True, use_url=False)
    filename = serializers.CharField(
        required=False, help_text="Overrides the uploaded part's file name (e.g. for blobs)."
    )


class MediaFileVersionOutput(serializers.Serializer):
    number = serializers.IntegerField()
    current = serializers.BooleanField()
    action = serializers.CharField(help_text="upload, replace or restore")
    restored_from = serializers.IntegerField(allow_null=True)
    original_filename = serializers.CharField()
    mime_type = serializers.CharField()
    size = serializers.IntegerField()
    checksum = serializers.CharField()
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    created_by = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()


class MediaUsageListOutput(serializers.Serializer):
    current = serializers.ListField(
        child=serializers.DictField(),
        help_text="Uses that block a delete: product, scope, slot, channel, locale, state "
        "(working, draft, published), categories; category images; dimension value swatches.",
    )
    history = serializers.ListField(
        child=serializers.DictField(), help_text="Old versions that reference it (never block)."
    )


class MediaSameBytesOutput(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    field = serializers.CharField()
    media = serializers.IntegerField(help_text="The item that already has these bytes.")
