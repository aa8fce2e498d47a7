"""``session.files``: uploads, imports and downloads (wire format, sync and async)."""

from __future__ import annotations

import pytest
from pytest_httpx import HTTPXMock

import directus_orm as d

from ..wire import BASE, Runner, sent

FILE = {"id": "f1", "filename_download": "a.txt", "title": "A", "type": "text/plain"}


def parts(content: bytes) -> list[bytes]:
    """The parts of a multipart body, in order (boundary lines dropped)."""
    boundary = content.split(b"\r\n", 1)[0]
    return [p.strip(b"\r\n") for p in content.split(boundary)[1:-1]]


def test_upload_sends_the_metadata_before_the_file(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(method="POST", json={"data": FILE})
    record = call(lambda s: s.files.upload(b"hello", filename="a.txt", title="A", content_type="text/plain",
                                           fields=["id", "title"], description="d"))
    assert isinstance(record, d.DirectusFile) and record.id == "f1"
    (request,) = httpx_mock.get_requests()
    assert sent(request)[:3] == ("POST", "/files", [("fields", "id,title")])
    assert request.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert request.headers["Content-Length"] == str(len(request.content))
    *fields, file = parts(request.content)
    assert b'name="title"\r\n\r\nA' in b"".join(fields)
    assert b'name="description"\r\n\r\nd' in b"".join(fields)
    assert b'name="storage"\r\n\r\nlocal' in b"".join(fields)
    assert b'name="file"; filename="a.txt"' in file and b"Content-Type: text/plain" in file
    assert file.endswith(b"\r\n\r\nhello")


def test_upload_many_sends_a_request_per_file_in_order(httpx_mock: HTTPXMock, call: Runner) -> None:
    for n, name in enumerate(("a.txt", "bb.txt", "c.txt")):
        httpx_mock.add_response(method="POST", json={"data": {**FILE, "id": f"f{n}", "filename_download": name}})
    seen: list[tuple[int, int | None]] = []
    files = call(lambda s: s.files.upload_many(
        [d.Upload(b"a", filename="a.txt"), d.Upload(b"bb", filename="bb.txt"), d.Upload(b"ccc", filename="c.txt")],
        on_progress=lambda sent_, total: seen.append((sent_, total))))
    assert [f.id for f in files] == ["f0", "f1", "f2"]
    requests = httpx_mock.get_requests()
    assert [sent(r)[:2] for r in requests] == [("POST", "/files")] * 3
    assert [parts(r.content)[-1].rsplit(b"\r\n\r\n", 1)[1] for r in requests] == [b"a", b"bb", b"ccc"]
    # Progress counts over all the files.
    assert seen[-1] == (6, 6) and all(total == 6 for _, total in seen)
    assert [s for s, _ in seen] == sorted(s for s, _ in seen)


def test_replace_patches_the_file(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(method="PATCH", status_code=204)
    assert call(lambda s: s.files.replace(d.DirectusFile(id="f1"), b"new", filename="b.txt")) is None
    (request,) = httpx_mock.get_requests()
    assert (request.method, request.url.raw_path) == ("PATCH", b"/files/f1")
    (file,) = parts(request.content)  # no storage field: the file keeps its own
    assert b'filename="b.txt"' in file and file.endswith(b"\r\n\r\nnew")


def test_import_url(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(json={"data": FILE})
    record = call(lambda s: s.files.import_url("https://example.com/a.txt", title="A", folder="x"))
    assert isinstance(record, d.DirectusFile) and record.title == "A"
    assert sent(httpx_mock.get_requests()[0]) == ("POST", "/files/import", [], {
        "url": "https://example.com/a.txt", "data": {"title": "A", "folder": "x"}})


def test_downloads(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(method="GET", content=b"\x89PNG")
    httpx_mock.add_response(method="POST", url=f"{BASE}/assets/files", content=b"PK1")
    httpx_mock.add_response(method="POST", url=f"{BASE}/assets/folder/fo1", content=b"PK2")
    assert call(lambda s: s.files.download("f1", width=10, fit="cover", format="webp")) == b"\x89PNG"
    assert call(lambda s: s.files.download_zip(["f1", d.DirectusFile(id="f2")])) == b"PK1"
    assert call(lambda s: s.files.download_folder_zip(d.DirectusFolder(id="fo1", name="x"))) == b"PK2"
    asset, files_zip, folder_zip = httpx_mock.get_requests()
    assert sent(asset) == ("GET", "/assets/f1", [("width", "10"), ("fit", "cover"), ("format", "webp")], None)
    assert sent(files_zip) == ("POST", "/assets/files", [], {"ids": ["f1", "f2"]})
    assert sent(folder_zip) == ("POST", "/assets/folder/fo1", [], None)


def test_bad_transforms_are_refused_before_any_request(httpx_mock: HTTPXMock, call: Runner) -> None:
    with pytest.raises(ValueError, match="quality"):
        call(lambda s: s.files.download("f1", quality=0))
    assert httpx_mock.get_requests() == []
