"""Where an image storage of STORAGES keeps its files: local paths resolve against the
service, any other backend takes its options as given."""

from pathlib import Path

from platform_common.settings import LOCAL_STORAGE, storage_options

SERVICE = Path("/srv/content")
BASE_URL = "http://127.0.0.1:8000/api/v1/content/covers/"


def test_the_local_storage_resolves_a_relative_location_and_serves_at_the_base_url() -> None:
    options = storage_options(
        backend=LOCAL_STORAGE,
        options={"location": "../../.local/media/covers"},
        base_dir=SERVICE,
        base_url=BASE_URL,
        location="media/covers",
    )

    assert options == {"base_url": BASE_URL, "location": "/srv/content/../../.local/media/covers"}


def test_the_local_storage_has_a_default_location() -> None:
    options = storage_options(
        backend=LOCAL_STORAGE, options={}, base_dir=SERVICE, base_url=BASE_URL, location="m/c"
    )

    assert options["location"] == "/srv/content/m/c"


def test_another_backend_takes_its_options_as_they_are() -> None:
    given = {"bucket_name": "platform-covers", "querystring_auth": False}

    options = storage_options(
        backend="storages.backends.s3.S3Storage",
        options=given,
        base_dir=SERVICE,
        base_url=BASE_URL,
        location="media/covers",
    )

    assert options == given
