"""Input and output shapes of the assignments API (SPEC §3).

CONTENT bodies are validated by the service (`assignments.validation`), which knows the
product, the media and the purposes and reports field paths like `variants[0].primary[2]`;
the serializers here describe the shapes for OpenAPI and validate the small inputs.
"""

from rest_framework import serializers

from assignments.models import Purpose


class CropSerializer(serializers.Serializer):
    x = serializers.IntegerField(min_value=0)
    y = serializers.IntegerField(min_value=0)
    width = serializers.IntegerField(min_value=1)
    height = serializers.IntegerField(min_value=1)


class AdditionalEntrySerializer(serializers.Serializer):
    media = serializers.IntegerField()
    purpose = serializers.CharField(help_text="A purpose code of the tenant (see purposes/).")


class SwatchSerializer(serializers.Serializer):
    dimension = serializers.CharField()
    value = serializers.CharField()
    hex = serializers.CharField(required=False, help_text="#rrggbb; or give media instead.")
    media = serializers.IntegerField(required=False, help_text="An image media item id.")
    crop = CropSerializer(required=False, help_text="A rectangle within the image, in pixels.")


class SlotsSerializer(serializers.Serializer):
    primary = serializers.ListField(child=serializers.IntegerField(), required=False)
    additional = AdditionalEntrySerializer(many=True, required=False)
    swatches = SwatchSerializer(many=True, required=False)


class DimensionRowSerializer(SlotsSerializer):
    values = serializers.DictField(child=serializers.CharField())


class VariantRowSerializer(SlotsSerializer):
    variant = serializers.CharField(help_text="A variant number of this product.")


class ContentSerializer(serializers.Serializer):
    matrix = serializers.ListField(child=serializers.CharField(), required=False)
    master = SlotsSerializer(required=False)
    dimensions = DimensionRowSerializer(many=True, required=False)
    variants = VariantRowSerializer(many=True, required=False)


class ContentInput(ContentSerializer):
    confirm_matrix_change = serializers.BooleanField(
        required=False,
        help_text="Required when the matrix changes while dimension rows exist for the old one.",
    )


class ContextSerializer(serializers.Serializer):
    channel = serializers.CharField()
    locale = serializers.CharField()


class LabelledProvenanceSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=["variant", "dimension", "master"])
    values = serializers.DictField(child=serializers.CharField(), required=False)
    variant = serializers.CharField(required=False)
    channel = serializers.CharField()
    locale = serializers.CharField()
    label = serializers.CharField(
        help_text='In words: "from color=Blue", "from Omnichannel · Neutral".'
    )


class EffectiveSlotProvenanceSerializer(serializers.Serializer):
    primary = LabelledProvenanceSerializer(allow_null=True)
    additional = LabelledProvenanceSerializer(allow_null=True)
    swatches = LabelledProvenanceSerializer(allow_null=True)


class EffectiveScopeSerializer(serializers.Serializer):
    default_image = serializers.IntegerField(
        allow_null=True, help_text="R11, computed as the shop answer computes it."
    )
    primary = serializers.ListField(child=serializers.IntegerField())
    additional = serializers.DictField(
        child=serializers.ListField(child=serializers.IntegerField()), help_text="By purpose."
    )
    swatches = SwatchSerializer(many=True)
    provenance = EffectiveSlotProvenanceSerializer()


class EffectiveDimensionSerializer(EffectiveScopeSerializer):
    values = serializers.DictField(child=serializers.CharField())


class EffectiveVariantSerializer(EffectiveScopeSerializer):
    variant = serializers.CharField()


class EffectiveSerializer(serializers.Serializer):
    matrix = serializers.ListField(
        child=serializers.CharField(), help_text="The governing content's matrix."
    )
    master = EffectiveScopeSerializer()
    dimensions = EffectiveDimensionSerializer(many=True)
    variants = EffectiveVariantSerializer(many=True)


class DocumentOutput(serializers.Serializer):
    product = serializers.CharField()
    channel = serializers.CharField()
    locale = serializers.CharField()
    state = serializers.ChoiceField(choices=["empty", "draft", "checked_out", "published"])
    checked_out_by = serializers.CharField(allow_null=True)
    checked_out_at = serializers.DateTimeField(allow_null=True)
    saved_at = serializers.DateTimeField(allow_null=True)
    last_active_at = serializers.DateTimeField(
        allow_null=True, help_text="The holder's last check-out, save or edit."
    )
    expires_at = serializers.DateTimeField(
        allow_null=True,
        help_text="From then on anyone with edit rights may take the check-out over "
        "(CHECKOUT_IDLE_MINUTES after the last activity).",
    )
    expired = serializers.BooleanField()
    version = serializers.IntegerField(allow_null=True)
    published_version = serializers.IntegerField(allow_null=True)
    inherited_from = ContextSerializer(allow_null=True)
    draft = ContentSerializer(allow_null=True)
    published = ContentSerializer(allow_null=True)
    working = ContentSerializer(allow_null=True, help_text="Only for the holder.")
    effective = EffectiveSerializer(
        help_text="What each scope shows after fallback (R9, R10) from the content shown to "
        "this user (the holder's working copy, else the draft, else the published), with the "
        "default image (R11) and where each slot comes from."
    )


class ProvenanceSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=["variant", "dimension", "master"])
    values = serializers.DictField(child=serializers.CharField(), required=False)
    variant = serializers.CharField(required=False)
    channel = serializers.CharField()
    locale = serializers.CharField()


class SlotProvenanceSerializer(serializers.Serializer):
    primary = ProvenanceSerializer(allow_null=True)
    additional = ProvenanceSerializer(allow_null=True)
    swatches = ProvenanceSerializer(allow_null=True)


class MediaSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    display_name = serializers.CharField()
    title = serializers.CharField()
    alt_text = serializers.CharField()
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    url = serializers.CharField(allow_null=True)
    mime_type = serializers.CharField()
    renditions = serializers.DictField(child=serializers.CharField(), help_text="Name -> URL.")


class PreviewOutput(serializers.Serializer):
    product = serializers.CharField()
    channel = serializers.CharField()
    locale = serializers.CharField()
    source = serializers.CharField()
    selection = serializers.DictField(child=serializers.CharField())
    variant = serializers.CharField(allow_null=True)
    default_image = serializers.IntegerField(allow_null=True)
    primary = serializers.ListField(child=serializers.IntegerField())
    additional = serializers.DictField(
        child=serializers.ListField(child=serializers.IntegerField())
    )
    swatches = SwatchSerializer(many=True)
    provenance = SlotProvenanceSerializer()
    media = serializers.DictField(child=MediaSummarySerializer(), help_text="By media id.")


class CoverageRowSerializer(serializers.Serializer):
    variant = serializers.CharField(allow_null=True, help_text="Null for a simple product.")
    channel = serializers.CharField()
    locale = serializers.CharField()
    slots = serializers.DictField(
        child=serializers.JSONField(),
        help_text='Per slot: "own", "none" or the level it inherits from '
        "({scope, channel, locale, values|variant}).",
    )


class CoverageOutput(serializers.Serializer):
    product = serializers.CharField()
    source = serializers.CharField()
    rows = CoverageRowSerializer(many=True)


class VersionOutput(serializers.Serializer):
    number = serializers.IntegerField()
    note = serializers.CharField()
    created_by = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    entries = serializers.IntegerField()
    is_draft = serializers.BooleanField()
    is_published = serializers.BooleanField()
    summary = serializers.CharField(help_text="What this version changed from the one before.")


class VersionSideSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    note = serializers.CharField()
    created_by = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    matrix = serializers.ListField(child=serializers.CharField())


class VersionScopeCompareSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    scope = serializers.ChoiceField(choices=["variant", "dimension", "master"])
    values = serializers.DictField(child=serializers.CharField(), required=False)
    variant = serializers.CharField(required=False)
    a = SlotsSerializer(allow_null=True)
    b = SlotsSerializer(allow_null=True)
    changes = serializers.ListField(child=serializers.CharField())


class VersionCompareOutput(serializers.Serializer):
    a = VersionSideSerializer()
    b = VersionSideSerializer()
    summary = serializers.CharField()
    scopes = VersionScopeCompareSerializer(many=True)
    media = serializers.DictField(child=MediaSummarySerializer(), help_text="By media id.")


class PurposeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Purpose
        fields = ["code", "name", "position"]
        read_only_fields = ["position"]
        extra_kwargs = {
            "name": {"required": False, "error_messages": {"blank": "Enter a name."}},
            # In words a person can act on, not Django's "valid slug" jargon.
            "code": {
                "error_messages": {
                    "invalid": "Use only letters, numbers, hyphens and underscores.",
                    "blank": "Enter a code.",
                    "required": "Enter a code.",
                }
            },
        }


class PurposeUpdateInput(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    position = serializers.IntegerField(required=False, min_value=0, max_value=2**31 - 1)


class CheckoutOutput(serializers.Serializer):
    product = serializers.CharField()
    name = serializers.CharField()
    channel = serializers.CharField()
    locale = serializers.CharField()
    checked_out_at = serializers.DateTimeField(allow_null=True)
    saved_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField(allow_null=True)
    expires_at = serializers.DateTimeField(
        allow_null=True, help_text="When the idle check-out lapses."
    )
    expired = serializers.BooleanField(help_text="Lapsed: others may take it over.")


class CategoryMediaInput(serializers.Serializer):
    media = serializers.IntegerField(allow_null=True, help_text="An image id; null clears it.")


class CategoryMediaOutput(serializers.Serializer):
    category = serializers.IntegerField()
    channel = serializers.CharField()
    path = serializers.CharField()
    draft = serializers.IntegerField(allow_null=True)
    published = serializers.IntegerField(allow_null=True)
    updated_by = serializers.CharField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)


class PrimaryChangeInput(serializers.Serializer):
    """One primary-list operation on the working copy (the workspace's arrows, drag-and-drop,
    add and remove); master unless `dimension_values` or `variant` names another entity."""

    operation = serializers.ChoiceField(
        choices=["insert", "remove", "move_up", "move_down", "move_to"]
    )
    media = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    position = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, help_text="0-based; for insert and move_to"
    )
    dimension_values = serializers.DictField(
        child=serializers.CharField(), required=False, allow_null=True
    )
    variant = serializers.CharField(required=False, allow_null=True)

    def validate(self, attrs):
        if attrs.get("operation") == "move_to" and attrs.get("position") is None:
            raise serializers.ValidationError({"position": "move_to needs a position."})
        if attrs.get("dimension_values") and attrs.get("variant"):
            raise serializers.ValidationError(
                {"variant": "Name a dimension combination or a variant, not both."}
            )
        return attrs


class CheckoutInput(serializers.Serializer):
    take_over = serializers.BooleanField(
        default=False,
        help_text="Take over someone else's check-out: allowed once it has been idle for "
        "CHECKOUT_IDLE_MINUTES, or at any time for a publisher (audited; the working copy "
        "is kept).",
    )


class DocumentEventOutput(serializers.Serializer):
    action = serializers.CharField()
    label = serializers.CharField()
    by = serializers.CharField(allow_null=True)
    at = serializers.DateTimeField()
    version = serializers.IntegerField(allow_null=True)
    detail = serializers.DictField()


class DocumentStateOutput(serializers.Serializer):
    channel = serializers.CharField()
    locale = serializers.CharField()
    state = serializers.ChoiceField(choices=["empty", "draft", "checked_out", "published"])
    checked_out_by = serializers.CharField(allow_null=True)
    checked_out_at = serializers.DateTimeField(allow_null=True)
    last_active_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True)
    expired = serializers.BooleanField()
    version = serializers.IntegerField(allow_null=True)
    published_version = serializers.IntegerField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()
    last_event = DocumentEventOutput(allow_null=True)


class ProductDocumentsStateOutput(serializers.Serializer):
    product = serializers.CharField()
    etag = serializers.CharField()
    idle_minutes = serializers.IntegerField()
    documents = DocumentStateOutput(many=True)
