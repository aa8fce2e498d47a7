"""Server versions and the features that depend on them (wire format pinned with pytest-httpx)."""

from __future__ import annotations

import json
import pickle
from collections.abc import AsyncIterator, Iterator

import pytest
from pytest_httpx import HTTPXMock

import directus_orm as d
from directus_orm import FEATURES, AsyncSession, FeatureNotSupported, ServerVersion, Session

URL = "http://directus.test"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def session() -> Iterator[Session]:
    with Session(URL, static_token="static-token", retries=0) as s:
        yield s


@pytest.fixture
async def asession() -> AsyncIterator[AsyncSession]:
    async with AsyncSession(URL, static_token="static-token", retries=0) as s:
        yield s


def info(version: str | None) -> dict[str, object]:
    data: dict[str, object] = {"project": {"project_name": "Directus"}}
    if version is not None:
        data["version"] = version
    return {"data": data}


# -------------------------------------------------------------------------- parsing


def test_versions_parse_and_compare():
    v = ServerVersion.parse("11.17.4")
    assert (v.major, v.minor, v.patch, v.pre) == (11, 17, 4, "")
    assert str(v) == "11.17.4"
    assert v < "12.1" < ServerVersion.parse("12.4.0") <= "12.4.0" < "12.4.1"
    assert ServerVersion.parse("12.0.0-rc.1") < "12.0.0"
    assert ServerVersion.parse("12") == ServerVersion(12, 0, 0)
    assert sorted(map(ServerVersion.parse, ["12.4.0", "11.17.4", "12.1.1"])) == [
        (11, 17, 4, ""), (12, 1, 1, ""), (12, 4, 0, "")]
    with pytest.raises(ValueError, match="not a Directus version"):
        ServerVersion.parse("latest")


@pytest.mark.parametrize(("version", "feature", "exists"), [
    ("10.13.4", "policies", False), ("11.0.0", "policies", True),
    ("11.17.4", "server_hash", True), ("12.0.2", "server_hash", True), ("12.1.0", "server_hash", False),
    ("12.1.1", "schema_diff_mode", False), ("12.2.0", "schema_diff_mode", True),
    ("11.17.4", "version_published", False), ("12.0.0", "version_published", True),
])
def test_feature_table(version, feature, exists):
    assert FEATURES[feature].exists_in(ServerVersion.parse(version)) is exists


def test_feature_not_supported_names_the_version_and_pickles():
    from directus_orm._core.version import require

    with pytest.raises(FeatureNotSupported) as caught:
        require(ServerVersion.parse("11.17.4"), "schema_diff_mode")
    error = caught.value
    assert str(error) == ("schema diff modes (mode='merge' or 'mirror') needs Directus 12.2 or later; "
                          "this server runs 11.17.4")
    assert (error.feature, error.server_version) == ("schema_diff_mode", "11.17.4")
    assert isinstance(error, d.ClientError)
    copy = pickle.loads(pickle.dumps(error))
    assert (str(copy), copy.feature, copy.server_version) == (str(error), "schema_diff_mode", "11.17.4")
    with pytest.raises(FeatureNotSupported, match=r"removed in Directus 12\.1; this server runs 12\.4\.0"):
        require(ServerVersion.parse("12.4.0"), "server_hash")
    require(None, "server_hash")  # unknown version: the server answers for itself


# -------------------------------------------------------------------------- on the wire


def test_version_is_read_once_and_remembered(httpx_mock: HTTPXMock, session: Session):
    httpx_mock.add_response(url=f"{URL}/server/info", json=info("11.17.4"))
    assert session.known_server_version is None
    assert session.server.version() == ServerVersion(11, 17, 4)
    assert session.server.version() >= "11.0"
    assert session.server.supports("server_hash") is True
    assert session.server.supports("schema_diff_mode") is False
    assert len(httpx_mock.get_requests()) == 1
    with pytest.raises(ValueError, match="unknown feature 'nope'"):
        session.server.supports("nope")


def test_a_hidden_version_is_none(httpx_mock: HTTPXMock, session: Session):
    httpx_mock.add_response(url=f"{URL}/server/info", json=info(None))
    assert session.server.version() is None
    assert session.server.supports("policies") is None


@pytest.mark.anyio
async def test_async_version(httpx_mock: HTTPXMock, asession: AsyncSession):
    httpx_mock.add_response(url=f"{URL}/server/info", json=info("12.4.0"))
    assert await asession.server.version() == "12.4.0"
    assert await asession.server.supports("server_hash") is False


def test_hashing_follows_the_known_version(httpx_mock: HTTPXMock, session: Session):
    httpx_mock.add_response(url=f"{URL}/server/info", json=info("11.17.4"))
    httpx_mock.add_response(url=f"{URL}/utils/hash/generate", json={"data": "$argon2id$server"})
    session.server.version()
    assert session.utils.hash_generate("x") == "$argon2id$server"  # 11.x: the server hashes


def test_hashing_on_12_is_local_without_a_probe(httpx_mock: HTTPXMock, session: Session):
    httpx_mock.add_response(url=f"{URL}/server/info", json=info("12.4.0"))
    session.server.version()
    hashed = session.utils.hash_generate("x")
    assert hashed.startswith("$argon2id$")
    assert [r.url.path for r in httpx_mock.get_requests()] == ["/server/info"]  # no /utils/hash probe


def test_schema_diff_modes_on_11_raise_before_sending_the_snapshot(httpx_mock: HTTPXMock, session: Session):
    httpx_mock.add_response(url=f"{URL}/server/info", json=info("11.17.4"))
    with pytest.raises(FeatureNotSupported, match=r"needs Directus 12\.2 or later; this server runs 11\.17\.4"):
        session.schema.diff({"version": 1, "directus": "11.17.4"}, mode="merge")
    assert [r.url.path for r in httpx_mock.get_requests()] == ["/server/info"]


def test_schema_diff_mode_is_sent_from_12_2(httpx_mock: HTTPXMock, session: Session):
    httpx_mock.add_response(url=f"{URL}/server/info", json=info("12.4.0"))
    httpx_mock.add_response(url=f"{URL}/schema/diff?mode=mirror", status_code=204)
    assert session.schema.diff({"version": 1}, mode="mirror") is None
    sent = httpx_mock.get_requests()[-1]
    assert json.loads(sent.content) == {"version": 1}


def test_policies_on_a_role_based_server_name_the_version(httpx_mock: HTTPXMock, session: Session):
    httpx_mock.add_response(url=f"{URL}/server/info", json=info("10.13.4"))
    session.server.version()
    with pytest.raises(FeatureNotSupported, match=r"policy-based access .* needs Directus 11\.0 or later; "
                                                  r"this server runs 10\.13\.4"):
        session.policies.globals()
    assert [r.url.path for r in httpx_mock.get_requests()] == ["/server/info"]


def test_version_reads_and_new_item_drafts_and_json_imports_name_directus_11(
        httpx_mock: HTTPXMock, session: Session):
    from directus_orm import Model

    class Post(Model, collection="posts"):
        id: int | None = None
        title: str = ""

    httpx_mock.add_response(url=f"{URL}/server/info", json=info("11.17.4"))
    with pytest.raises(FeatureNotSupported, match=r"content version in a list query .* this server runs 11\.17\.4"):
        Post.objects.using(session).version("draft").get(pk=1)
    with pytest.raises(FeatureNotSupported, match=r"published version .* needs Directus 12\.0"):
        list(Post.objects.using(session).version("published"))
    with pytest.raises(FeatureNotSupported, match=r"draft of an item not created yet"):
        session.versions.create("posts", None, "draft")
    with pytest.raises(FeatureNotSupported, match=r"importing items as JSON .* needs Directus 12\.2"):
        session.utils.import_items({"posts": [{"title": "x"}]})
    assert [r.url.path for r in httpx_mock.get_requests()] == ["/server/info"]  # nothing else sent


def test_main_version_reads_need_no_version_check(httpx_mock: HTTPXMock, session: Session):
    from directus_orm import Model

    class Post(Model, collection="posts"):
        id: int | None = None

    httpx_mock.add_response(method="GET", json={"data": [{"id": 1}]})
    assert [p.id for p in Post.objects.using(session).version("main")] == [1]
    (request,) = httpx_mock.get_requests()  # no /server/info: the main items exist everywhere
    assert request.url.path == "/items/posts" and request.url.params["version"] == "main"
