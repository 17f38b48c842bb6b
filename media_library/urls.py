from django.urls import path

from .serving import media_signed_file
from .views import media_public_file, media_public_rendition

urlpatterns = [
    path("s/<str:token>/<str:filename>", media_signed_file, name="media-signed-file"),
    path(
        "<uuid:public_id>/r/<slug:name>.<slug:ext>",
        media_public_rendition,
        name="media-public-rendition",
    ),
    path("<uuid:public_id>/<str:filename>", media_public_file, name="media-public-file"),
]
