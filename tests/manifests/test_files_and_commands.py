"""R18: files from a zip or http(s) URLs (a loopback server, never the internet), and the
import_manifest / export_manifest commands with their exit codes."""

from __future__ import annotations

import http.server
import threading
import zipfile
from functools import partial

import pytest
from django.core.management import CommandError, call_command

from assignments.models import AssignmentDocument
from media_library.models import MediaItem
from tests.manifests.helpers import records, run_import, tsv
from tests.manifests.test_validation import HEADER, row


@pytest.fixture
def http_files(files_dir):
    """Serve the import folder on 127.0.0.1 for the duration of a test."""
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(files_dir))
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_files_from_http_urls(tenant, catalog, http_files, settings):  # R18
    # The loopback test server is internal: allowlisted, as a deployment would (R29).
    settings.OUTBOUND_FETCH_ALLOWLIST = ["127.0.0.1"]
    text = tsv(
        HEADER,
        row(
            None,
            MediaDisplayName="Red",
            ImageAltText="r",
            MediaImportPath=f"{http_files}/media/red.jpg",
        ),
        row(
            None,
            MediaDisplayName="Gone",
            ImageAltText="g",
            EntityKey="MUG-001",
            MediaImportPath=f"{http_files}/media/none.jpg",
        ),
    )
    report, rows = run_import(tenant, text, on_error="skip")
    assert rows[0]["Result"] == "Succeeded", rows[0]["ResultDescription"]
    assert (
        rows[1]["ErrorCode"] == "MissingFile"
        and "could not fetch URL" in rows[1]["ResultDescription"]
    )
    assert MediaItem.objects.get(tenant=tenant).original_filename == "red.jpg"


def test_files_from_a_zip(tenant, catalog, files_dir, tmp_path):  # R18
    archive_path = tmp_path / "files.zip"
    with zipfile.ZipFile(archive_path, "w") as archive:
        archive.write(files_dir / "media" / "green.png", "media/green.png")
    text = tsv(
        HEADER, row(None, MediaDisplayName="G", ImageAltText="g", MediaImportPath="media/green.png")
    )
    with zipfile.ZipFile(archive_path) as archive:
        report, rows = run_import(tenant, text, archive=archive)
    assert report.ok, report.errors
    assert MediaItem.objects.get(tenant=tenant).mime_type == "image/png"


def test_import_command_writes_a_result_and_exits_non_zero_on_errors(
    tenant, catalog, images, files_dir, capsys
):  # R18
    manifest = files_dir / "in.tsv"
    manifest.write_text(tsv(HEADER, row(images[0]), row(images[1], EntityKey="NOPE")))
    with pytest.raises(CommandError, match="1 row\\(s\\) failed; nothing was applied"):
        call_command("import_manifest", str(manifest), tenant="acme", no_progress=True)
    result = records((files_dir / "in.result.tsv").read_text())
    assert [r["Result"] for r in result] == ["Skipped", "Failed"]
    assert not AssignmentDocument.objects.filter(tenant=tenant).exists()

    with pytest.raises(CommandError, match="the other rows were applied"):
        call_command(
            "import_manifest",
            str(manifest),
            tenant="acme",
            on_error="skip",
            result=str(files_dir / "out.tsv"),
        )
    assert AssignmentDocument.objects.get(tenant=tenant).version == 1
    manifest.write_text(tsv(HEADER, row(images[1])))
    call_command("import_manifest", str(manifest), tenant="acme", dry_run=True)
    assert "Dry run" in capsys.readouterr().out
    assert AssignmentDocument.objects.get(tenant=tenant).version == 1
    call_command("import_manifest", str(manifest), tenant="acme")
    assert AssignmentDocument.objects.get(tenant=tenant).version == 2


def test_export_command_writes_zip_and_folder(tenant, images, tmp_path):  # R18
    call_command("export_manifest", str(tmp_path / "lib.zip"), tenant="acme", kind="media")
    with zipfile.ZipFile(tmp_path / "lib.zip") as archive:
        rows = records(archive.read("manifest.tsv").decode())
        assert {r["MediaImportPath"] for r in rows} <= set(archive.namelist())
    call_command(
        "export_manifest", str(tmp_path / "folder"), tenant="acme", media_ids=[images[0].pk]
    )
    rows = records((tmp_path / "folder" / "manifest.tsv").read_text())
    assert len(rows) == 1 and (tmp_path / "folder" / rows[0]["MediaImportPath"]).is_file()
    with pytest.raises(CommandError, match="Unknown products: NOPE"):
        call_command(
            "export_manifest",
            str(tmp_path / "x.zip"),
            tenant="acme",
            kind="assignments",
            products=["NOPE"],
        )
    with pytest.raises(CommandError, match="Unknown tenant"):
        call_command("export_manifest", str(tmp_path / "y.zip"), tenant="nope")


def test_export_command_warns_when_its_urls_are_site_relative(
    tenant, images, tmp_path, capsys, settings
):  # R18: MediaPublishedURL is absolute only with a site origin
    settings.MEDIA_PUBLIC_BASE_URL = ""
    call_command("export_manifest", str(tmp_path / "a.tsv"), tenant="acme", kind="media")
    assert "site-relative" in capsys.readouterr().err
    call_command(
        "export_manifest", str(tmp_path / "b.tsv"), tenant="acme", base_url="https://m.example"
    )
    assert "site-relative" not in capsys.readouterr().err
