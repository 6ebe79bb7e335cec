"""Platform detection, attribution headers, the persisted client id, base URL and token sources."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from nemowidgets import __version__
from nemowidgets.api import ConfigurationError
from nemowidgets.api.auth import (
    attribution_headers,
    config_dir,
    detect_platform,
    load_client_id,
    resolve_base_url,
    resolve_token,
)

PLATFORM_CASES = [
    ({}, {}, "unknown"),
    ({"JPY_PARENT_PID": "12"}, {}, "jupyter"),
    ({}, {"ipykernel": object()}, "jupyter"),
    ({"VSCODE_PID": "7", "JPY_PARENT_PID": "12"}, {"ipykernel": 1}, "vscode"),
    ({"TERM_PROGRAM": "vscode"}, {}, "vscode"),
    ({"COLAB_RELEASE_TAG": "r1", "JPY_PARENT_PID": "1"}, {"ipykernel": 1}, "colab"),
    ({}, {"google.colab": 1, "ipykernel": 1}, "colab"),
    ({"VOILA_KERNEL_ID": "k", "JPY_PARENT_PID": "1"}, {"ipykernel": 1}, "voila"),
    ({}, {"voila": 1}, "voila"),
    ({"VOILA_BASE_URL": "/", "VSCODE_PID": "3"}, {}, "voila"),
    ({"PATH": "/bin", "HOME": "/root"}, {"numpy": 1}, "unknown"),
]


@pytest.mark.parametrize(("env", "modules", "expected"), PLATFORM_CASES)
def test_detect_platform(env: dict, modules: dict, expected: str) -> None:
    assert detect_platform(env, modules) == expected


def test_attribution_headers(monkeypatch: pytest.MonkeyPatch) -> None:
    assert attribution_headers("colab") == {
        "X-Skill-Source": "nemowidgets", "X-Skill-Version": __version__,
        "X-Skill-Platform": "colab"}  # fmt: skip
    monkeypatch.setenv("SKILL_SOURCE", "my-course")
    assert attribution_headers("jupyter")["X-Skill-Source"] == "my-course"
    assert attribution_headers()["X-Skill-Platform"] in ("jupyter", "vscode", "colab", "voila",
                                                         "unknown")  # fmt: skip


@pytest.mark.badinput
def test_unknown_platform_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="platform must be one of"):
        attribution_headers("emacs")


def test_client_id_is_made_once_and_reused(tmp_path: Path) -> None:
    first = load_client_id(tmp_path / "cfg")
    assert uuid.UUID(first).version == 4
    assert load_client_id(tmp_path / "cfg") == first
    assert (tmp_path / "cfg" / "client_id").read_text().strip() == first


def test_client_id_dir_comes_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEMO_CONFIG_DIR", str(tmp_path / "elsewhere"))
    assert config_dir() == tmp_path / "elsewhere"
    cid = load_client_id()
    assert (tmp_path / "elsewhere" / "client_id").read_text().strip() == cid


@pytest.mark.badinput
def test_a_corrupt_client_id_is_replaced(tmp_path: Path) -> None:
    (tmp_path / "client_id").write_text("not-a-uuid\n")
    fresh = load_client_id(tmp_path)
    assert uuid.UUID(fresh)
    assert (tmp_path / "client_id").read_text().strip() == fresh


@pytest.mark.badinput
def test_an_unwritable_config_dir_still_gives_an_id(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    cid = load_client_id(blocker / "sub")  # a dir under a file cannot exist
    assert uuid.UUID(cid)


@pytest.mark.parametrize(
    ("arg", "env", "expected"),
    [
        (None, None, "https://mega-api-prod.nemovideo.ai"),
        (None, "http://127.0.0.1:8765/", "http://127.0.0.1:8765"),
        ("https://proxy.example/nemo/", "http://ignored", "https://proxy.example/nemo"),
    ],
)
def test_base_url(arg: str | None, env: str | None, expected: str,
                  monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    if env:
        monkeypatch.setenv("NEMO_API_URL", env)
    assert resolve_base_url(arg) == expected


@pytest.mark.badinput
@pytest.mark.parametrize("bad", ["localhost:8000", "ftp://x.org", "http://", "   "])
def test_bad_base_urls_name_their_source(bad: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigurationError, match="base_url must be an http"):
        resolve_base_url(bad)
    monkeypatch.setenv("NEMO_API_URL", bad)
    if bad.strip():
        with pytest.raises(ConfigurationError, match="NEMO_API_URL must be"):
            resolve_base_url(None)


def test_token_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_token(None) is None
    monkeypatch.setenv("NEMO_TOKEN", "  ")
    assert resolve_token(None) is None  # blank means anonymous
    monkeypatch.setenv("NEMO_TOKEN", "nmv_usr_env")
    assert resolve_token(None).reveal() == "nmv_usr_env"  # type: ignore[union-attr]
    assert resolve_token("nmv_usr_arg").reveal() == "nmv_usr_arg"  # type: ignore[union-attr]
