"""Thin Celery tasks of the manifests package (listed in CELERY_IMPORTS: this package is
not an installed app, so autodiscovery would not find it)."""

from celery import shared_task


@shared_task
def manifest_imports_clean() -> dict[str, int]:
    """Celery beat: delete import uploads kept past MANIFEST_UPLOAD_KEEP_SECONDS, and the
    media files of import runs that died before committing (cleanup.py)."""
    from .cleanup import manifest_imports_clean as clean

    return clean()
