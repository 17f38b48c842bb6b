"""R25: record whether a video's thumbnail was cut from the video or uploaded.

Existing thumbnails named like the ones `video_thumbnail_ensure` writes
(`<video stem>-thumbnail.jpg`) are taken as generated; any other is taken as uploaded,
which a replacement keeps (the safe side: an uploaded poster is never thrown away).
"""

import posixpath

from django.db import migrations, models


def mark_generated(apps, schema_editor):
    MediaItem = apps.get_model("media_library", "MediaItem")
    generated = []
    rows = MediaItem.objects.filter(kind="video").exclude(video_thumbnail="")
    for pk, name, original in rows.values_list("pk", "video_thumbnail", "original_filename"):
        stem = posixpath.splitext(original)[0]
        base = posixpath.basename(name)
        if base.startswith(f"{stem}-thumbnail") and base.endswith(".jpg"):
            generated.append(pk)
    MediaItem.objects.filter(pk__in=generated).update(video_thumbnail_generated=True)


class Migration(migrations.Migration):
    dependencies = [
        ("media_library", "0003_file_versions_availability"),
    ]

    operations = [
        migrations.AddField(
            model_name="mediaitem",
            name="video_thumbnail_generated",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(mark_generated, migrations.RunPython.noop),
    ]
