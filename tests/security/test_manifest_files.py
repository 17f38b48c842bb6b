"""R29: what a manifest import may read. URLs pass the outbound-fetch guard (no request to
an internal address, nothing read back through the export, no port scanning through the
result manifest); a folder's links never lead outside it; zip entries never escape; a bad
`--files` is a clear command error."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.core.management import CommandError, call_command

from assignments.manifests.export import ExportSelection, manifest_write
from media_library.models import MediaItem
from tests.manifests.conftest import jpeg_bytes
from tests.manifests.helpers import records, run_import, tsv
from tests.manifests.test_validation import HEADER, row

pytestmark = pytest.mark.django_db


def _url_row(url: str, name: str = "Fetched") -> list[str]:
    return row(None, MediaDisplayName=name, ImageAltText="a", MediaImportPath=url)


def test_a_manifest_url_to_loopback_is_never_fetched(tenant, catalog, loopback_server):  # R29
    secret = jpeg_bytes((1, 2, 3))  # a valid image: had it been fetched, it would import
    server = loopback_server({"/secret": (200, {"Content-Type": "image/jpeg"}, secret)})
    report, rows = run_import(tenant, tsv(HEADER, _url_row(server.url("/secret"))))
    assert not report.ok
    assert rows[0]["ErrorCode"] == "MissingFile"
    assert "could not fetch URL: address not allowed" in rows[0]["ResultDescription"]
    assert server.hits == []
    assert not MediaItem.objects.filter(tenant=tenant).exists()
    out = io.StringIO()
    manifest_write(tenant=tenant, selection=ExportSelection(kind="media"), out=out)
    assert records(out.getvalue()) == []


def test_result_descriptions_do_not_tell_open_ports_from_closed_ones(
    tenant, catalog, loopback_server, closed_port, settings
):  # R29
    server = loopback_server({"/open": (404, {}, b"")})
    urls = {"open": server.url("/open"), "closed": f"http://127.0.0.1:{closed_port}/open"}

    def descriptions() -> set[str]:
        text = tsv(
            HEADER,
            _url_row(urls["open"], "A"),
            _url_row(urls["closed"], "B"),
        )
        _report, rows = run_import(tenant, text, on_error="skip")
        found = set()
        for result, url in zip(rows, urls.values(), strict=True):
            assert result["ErrorCode"] == "MissingFile"
            text = result["ResultDescription"].replace(url, "URL")
            found.add(re.sub(r"^Line \d+: ", "", text))
        return found

    refused = descriptions()  # by default: nothing is even tried
    assert len(refused) == 1 and "address not allowed" in refused.pop()
    assert server.hits == []
    settings.OUTBOUND_FETCH_ALLOWLIST = ["127.0.0.1"]
    failed = descriptions()  # allowlisted: a 404 and a refused connection read the same
    assert len(failed) == 1
    text = failed.pop()
    assert "could not fetch URL" in text
    assert not re.search(r"refused|errno|404|timed out|Connection", text, re.IGNORECASE)


@pytest.fixture
def outside(tmp_path):
    """A valid image outside the import folder, as a secret file on the server would be."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.jpg").write_bytes(jpeg_bytes((9, 9, 9)))
    return folder


def test_folder_links_never_lead_outside_the_folder(tenant, catalog, files_dir, outside):  # R29
    (files_dir / "media" / "hostname.jpg").symlink_to("/etc/hostname")
    (files_dir / "media" / "secret.jpg").symlink_to(outside / "secret.jpg")
    (files_dir / "media" / "elsewhere").symlink_to(outside, target_is_directory=True)
    (files_dir / "media" / "loop.jpg").symlink_to(files_dir / "media" / "loop.jpg")
    for path in (
        "media/hostname.jpg",
        "media/secret.jpg",
        "media/elsewhere/secret.jpg",
        "media/loop.jpg",
    ):
        report, rows = run_import(tenant, tsv(HEADER, _url_row(path)), folder=files_dir)
        assert rows[0]["ErrorCode"] == "MissingFile", (path, rows[0])
        assert "points outside" in rows[0]["ResultDescription"] or path.endswith("loop.jpg")
    assert not MediaItem.objects.filter(tenant=tenant).exists()


def test_links_inside_the_folder_still_work(tenant, catalog, files_dir):  # R29
    (files_dir / "alias.jpg").symlink_to(files_dir / "media" / "red.jpg")
    (files_dir / "pictures").symlink_to(files_dir / "media", target_is_directory=True)
    text = tsv(
        HEADER,
        row(None, MediaDisplayName="A", ImageAltText="a", MediaImportPath="alias.jpg"),
        row(
            None,
            MediaDisplayName="G",
            ImageAltText="g",
            EntityKey="MUG-001",
            MediaImportPath="pictures/green.png",
        ),
    )
    report, rows = run_import(tenant, text, folder=files_dir)
    assert report.ok, report.errors
    assert MediaItem.objects.filter(tenant=tenant).count() == 2


def test_the_import_command_refuses_a_link_out_of_the_manifest_folder(
    tenant, catalog, files_dir, outside
):  # R29: the default folder is the manifest's own
    (files_dir / "secret.jpg").symlink_to(outside / "secret.jpg")
    manifest = files_dir / "in.tsv"
    manifest.write_text(tsv(HEADER, _url_row("secret.jpg")))
    with pytest.raises(CommandError, match="points outside"):
        call_command("import_manifest", str(manifest), tenant="acme", no_progress=True)
    assert not MediaItem.objects.filter(tenant=tenant).exists()


def test_zip_entries_never_escape(tenant, catalog, tmp_path):  # R29
    archive_path = tmp_path / "files.zip"
    image = jpeg_bytes((5, 5, 5))
    with zipfile.ZipFile(archive_path, "w") as archive:
        archive.writestr("../up.jpg", image)
        archive.writestr("/abs.jpg", image)
        archive.writestr("media/../../twice.jpg", image)
    for path in ("../up.jpg", "/abs.jpg", "media/../../twice.jpg", "up.jpg", "abs.jpg"):
        with zipfile.ZipFile(archive_path) as archive:
            report, rows = run_import(tenant, tsv(HEADER, _url_row(path)), archive=archive)
        assert rows[0]["ErrorCode"] == "MissingFile", (path, rows[0])
    assert not MediaItem.objects.filter(tenant=tenant).exists()


def test_files_that_are_not_a_zip_are_a_clear_command_error(tenant, catalog, files_dir):  # R29
    manifest = files_dir / "in.tsv"
    manifest.write_text(tsv(HEADER, _url_row("media/red.jpg")))
    not_a_zip = files_dir / "files.zip"
    not_a_zip.write_text("this is not a zip")
    with pytest.raises(CommandError, match="neither a folder nor a readable .zip"):
        call_command(
            "import_manifest", str(manifest), tenant="acme", files=str(not_a_zip), no_progress=True
        )
