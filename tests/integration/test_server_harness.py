"""The test harness itself: the local Directus server answers and its admin can log in."""

from __future__ import annotations

import httpx
import pytest


def _login(url: str, email: str, password: str) -> dict[str, object]:
    with httpx.Client(base_url=url, timeout=30) as client:
        response = client.post("/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert isinstance(data, dict)
    return data


@pytest.mark.smoke
def test_ping_answers_pong(directus_server):
    response = httpx.get(f"{directus_server.url}/server/ping", timeout=30)
    assert response.status_code == 200
    assert response.text == "pong"


@pytest.mark.smoke
def test_admin_login_returns_tokens(directus_server):
    data = _login(directus_server.url, directus_server.email, directus_server.password)
    access_token = data["access_token"]
    assert isinstance(access_token, str) and access_token.count(".") == 2  # a JWT
    assert isinstance(data["refresh_token"], str) and data["refresh_token"]
    assert isinstance(data["expires"], int) and data["expires"] > 0  # milliseconds
    if directus_server.log_path is not None:  # our own server: default ACCESS_TOKEN_TTL=15m
        assert data["expires"] == 900_000

    with httpx.Client(base_url=directus_server.url, timeout=30) as client:
        me = client.get("/users/me", headers={"Authorization": f"Bearer {access_token}"})
        info = client.get("/server/info", headers={"Authorization": f"Bearer {access_token}"})
    assert me.status_code == 200, me.text
    assert me.json()["data"]["email"] == directus_server.email
    assert info.status_code == 200, info.text
    if directus_server.version is not None:  # our own server: the version asked for
        assert info.json()["data"]["version"] == directus_server.version


def test_factory_server_uses_custom_env(directus_factory, directus_server):
    server = directus_factory(env={"ACCESS_TOKEN_TTL": "3s"})
    assert server.url != directus_server.url
    assert directus_factory(env={"ACCESS_TOKEN_TTL": "3s"}) is server  # cached per env
    data = _login(server.url, server.email, server.password)
    assert data["expires"] == 3000
