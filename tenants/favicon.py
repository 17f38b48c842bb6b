"""`/favicon.ico`: browsers ask for it on every site whatever the pages link, so it is answered
(a 404 in every log otherwise). The same file is linked from the workspace and the admin as
static `mediahub/favicon.ico`, with an SVG beside it for sharp tabs."""

from __future__ import annotations

from pathlib import Path

from django.http import FileResponse, HttpRequest
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

FAVICON = Path(__file__).resolve().parent / "static" / "mediahub" / "favicon.ico"


@require_safe
@cache_control(public=True, max_age=86400)
def favicon(request: HttpRequest) -> FileResponse:
    return FileResponse(FAVICON.open("rb"), content_type="image/x-icon")
