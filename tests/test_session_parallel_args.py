"""Bad arguments of variants, batches and cluster renders: a ConfigurationError naming the
argument, raised before any work (nothing uploaded, nothing rendered)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from nemowidgets import BatchItem, ConfigurationError, batch
from nemowidgets.session import Session

pytestmark = [pytest.mark.badinput, pytest.mark.usefixtures("isolated_env")]
CLOUD = {"token": "nmv_usr_test", "base_url": "http://127.0.0.1:9"}  # never reached


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    session = Session.local(data_dir=tmp_path_factory.mktemp("data"))
    yield session
    session.close()


@pytest.mark.parametrize("cluster", [42, "localhost:8786", "http://127.0.0.1:8786", " "])
def test_a_bad_cluster_is_refused_before_the_server_starts(cluster: object, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cluster") as err:
        Session.local(data_dir=tmp_path / "data", cluster=cluster)
    assert err.value.details["field"] == "cluster"
    assert not (tmp_path / "data").exists()


def test_a_cluster_on_the_cloud_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="local backend only"):
        Session.cloud(**CLOUD, cluster="tcp://127.0.0.1:8786")


def test_variants_and_render_options_on_the_cloud_say_what_to_do_instead() -> None:
    with Session.cloud(**CLOUD) as cloud:
        with pytest.raises(ConfigurationError, match="make it 9:16") as err:
            cloud.export_variants(["9:16", "1:1"])
        assert err.value.details["field"] == "aspects"
        with pytest.raises(ConfigurationError, match="local backend"):
            cloud.export(aspect="vertical")
        with pytest.raises(ConfigurationError, match="local backend"):
            cloud.export(parallel=True)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda s: s.export_variants([]), "aspects"),
        (lambda s: s.export_variants("9:16"), "aspects"),
        (lambda s: s.export_variants(["9:16", "21:9"]), "aspects[1]"),
        (lambda s: s.export(aspect="2:1"), "aspect"),
        (lambda s: s.export(parallel="gpu"), "parallel"),
        (lambda s: s.export(parallel=2), "parallel"),
    ],
)
def test_bad_variant_and_parallel_arguments_name_the_argument(local: Session, call, field) -> None:
    with pytest.raises(ConfigurationError) as err:
        call(local)
    assert err.value.details["field"] == field


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"items": []}, "items"),
        ({"items": 42}, "items"),
        ({"items": "one-folder"}, "items"),  # a string is one folder: wrap it in a list
        ({"items": [3.5]}, "items"),
        ({"items": ["a"], "prompt": ""}, "prompt"),
        ({"items": ["a"], "concurrency": 0}, "concurrency"),
        ({"items": ["a"], "quality": "4k"}, "quality"),
    ],
)
def test_bad_batch_arguments_are_refused_before_any_item_starts(kwargs: dict, field: str) -> None:
    with pytest.raises(ConfigurationError) as err:
        batch(**kwargs)
    assert err.value.details["field"] == field


def test_items_are_named_uniquely_and_a_missing_folder_fails_only_its_item(tmp_path: Path) -> None:
    from nemowidgets.session._batch import plan_items

    plan = plan_items([tmp_path / "a", tmp_path / "x" / "a", BatchItem("a")], "p")
    assert [item.name for item in plan] == ["a", "a-2", "a-3"]
    results = batch([tmp_path / "gone"], "make a slideshow", data_dir=tmp_path / "data")
    assert not results[0].ok
    assert "does not exist" in str(results[0].error)
