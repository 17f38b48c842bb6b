"""Admin forms: uploads and edits go through the same checks and services as the API.

clean() runs the rules (so problems show as form errors next to the field); save() calls
the one service. Nothing here writes on its own.
"""

from __future__ import annotations

from django import forms

from tenants.exceptions import DomainError, ValidationFailed

from . import services
from .availability import availability_window_check
from .models import MediaItem
from .validation import upload_inspect


def tags_split(text: str) -> list[str]:
    return [t.strip() for t in (text or "").split(",") if t.strip()]


def add_domain_error(form: forms.BaseForm, exc: DomainError) -> None:
    """Attach a domain error to the field it names (the form itself when unknown)."""
    pairs = exc.errors if isinstance(exc, ValidationFailed) else [(exc.field, exc.message)]
    for field, reason in pairs:
        form.add_error(field if field in form.fields else None, reason)


class MediaItemUploadForm(forms.ModelForm):
    """Add form: the file is inspected in clean(); save() calls media_item_upload."""

    upload = forms.FileField(label="File")
    tag_names = forms.CharField(required=False, label="Tags", help_text="Comma-separated.")
    user = None  # set by the admin from the request

    class Meta:
        model = MediaItem
        fields = ["tenant", "title", "alt_text", "caption", "description", "display_name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["display_name"].required = False
        self.fields["display_name"].help_text = "Defaults to the file name."
        self.duplicate = False
        self._kind: str | None = None

    def _post_clean(self):
        """The service builds and checks the row; the half-built instance is not validated."""

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        try:
            self._kind = upload_inspect(upload).kind
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None
        return upload

    def clean(self):
        cleaned = super().clean()
        try:
            if self._kind is not None:
                services.media_metadata_require(
                    kind=self._kind,
                    title=cleaned.get("title", ""),
                    alt_text=cleaned.get("alt_text", ""),
                )
            if cleaned.get("tenant") is not None and cleaned.get("upload") is not None:
                services.display_name_choose(
                    tenant=cleaned["tenant"],
                    explicit=cleaned.get("display_name", ""),
                    filename=cleaned["upload"].name,
                )
        except DomainError as exc:
            add_domain_error(self, exc)
        return cleaned

    def save(self, commit=True):
        data = self.cleaned_data
        item, created = services.media_item_upload(
            tenant=data["tenant"],
            file=data["upload"],
            user=self.user,
            title=data.get("title", ""),
            alt_text=data.get("alt_text", ""),
            caption=data.get("caption", ""),
            description=data.get("description", ""),
            display_name=data.get("display_name", ""),
            tags=tags_split(data.get("tag_names", "")),
        )
        self.duplicate = not created
        self.instance = item
        return item

    def save_m2m(self):
        """Tags were set by the service."""


CHANGE_FIELDS = [
    "display_name",
    "title",
    "alt_text",
    "caption",
    "description",
    "transcript",
    "focal_x",
    "focal_y",
    "available_from",
    "expires_at",
    "usage_rights",
]


class MediaItemChangeForm(forms.ModelForm):
    """Change form: metadata, focal point and availability dates, saved through
    media_item_update; an optional new file goes through media_item_file_replace (R25)."""

    tag_names = forms.CharField(required=False, label="Tags", help_text="Comma-separated.")
    replace_file = forms.FileField(
        required=False,
        label="Replace file",
        help_text="New bytes for this item (same kind): id, assignments and link are kept; "
        "the current file stays restorable as a file version.",
    )
    user = None

    class Meta:
        model = MediaItem
        fields = CHANGE_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["tag_names"].initial = ", ".join(t.name for t in self.instance.tags.all())

    def _post_clean(self):
        """Rules are checked in clean() against the service's own functions."""

    def clean(self):
        cleaned = super().clean()
        item = self.instance
        try:
            services.media_metadata_require(
                kind=item.kind,
                title=cleaned.get("title", item.title),
                alt_text=cleaned.get("alt_text", item.alt_text),
            )
            for name in ("focal_x", "focal_y"):
                if cleaned.get(name) is not None:
                    services.focal_point_validate(cleaned[name], field=name)
            wanted = cleaned.get("display_name", "").strip()
            if wanted and wanted != item.display_name:
                services.display_name_rename_check(item=item, wanted=wanted)
            availability_window_check(cleaned.get("available_from"), cleaned.get("expires_at"))
            upload = cleaned.get("replace_file")
            if upload is not None:
                kind = upload_inspect(upload).kind
                if kind != item.kind:
                    article = "An" if item.kind[0] in "aeiou" else "A"
                    reason = f"{article} {item.kind} can only be replaced by another {item.kind}."
                    raise ValidationFailed([("replace_file", reason)])
                upload.seek(0)
        except DomainError as exc:
            if exc.field == "file":
                exc.field = "replace_file"
            add_domain_error(self, exc)
        return cleaned

    def save(self, commit=True):
        data = self.cleaned_data
        if data.get("replace_file") is not None:
            self.instance, _ = services.media_item_file_replace(
                item=self.instance, file=data["replace_file"], user=self.user
            )
        self.instance = services.media_item_update(
            item=self.instance,
            user=self.user,
            tags=tags_split(data.get("tag_names", "")),
            # Only what the form changed: the admin's date widgets drop microseconds, so
            # sending an untouched availability window back would read as a change (a
            # publisher's call on published media) and truncate it.
            **{name: data[name] for name in CHANGE_FIELDS if name in self.changed_data},
        )
        return self.instance

    def save_m2m(self):
        """Tags were set by the service."""
