import pytest

from tests.testapp.models import Note

pytestmark = pytest.mark.django_db


def test_delete_is_soft_and_hides_the_row_from_objects() -> None:
    note = Note.objects.create(title="n")

    note.delete()

    assert note.is_deleted
    assert not Note.objects.filter(pk=note.pk).exists()
    assert Note.all_objects.get(pk=note.pk).deleted_at == note.deleted_at


def test_queryset_delete_is_soft_too() -> None:
    kept, gone = Note.objects.create(title="kept"), Note.objects.create(title="gone")

    count, per_model = Note.objects.filter(pk=gone.pk).delete()

    assert (count, per_model) == (1, {"testapp.Note": 1})
    assert list(Note.objects.all()) == [kept]
    assert Note.all_objects.count() == 2


def test_hard_delete_removes_the_row() -> None:
    note = Note.objects.create(title="n")

    note.hard_delete()

    assert not Note.all_objects.filter(pk=note.pk).exists()


def test_queryset_hard_delete_removes_deleted_rows_too() -> None:
    Note.objects.create(title="a").delete()
    Note.objects.create(title="b")

    Note.all_objects.all().hard_delete()

    assert Note.all_objects.count() == 0


def test_restore_brings_the_row_back() -> None:
    note = Note.objects.create(title="n")
    note.delete()

    note.restore()

    assert Note.objects.get(pk=note.pk).deleted_at is None


def test_timestamps_and_uuid_key_are_set() -> None:
    note = Note.objects.create(title="n")
    created_at = note.created_at

    note.title = "changed"
    note.save()

    assert note.pk.version == 4
    assert note.created_at == created_at
    assert note.updated_at > created_at


def test_all_objects_can_filter_alive_and_deleted_rows() -> None:
    alive, gone = Note.objects.create(title="alive"), Note.objects.create(title="gone")
    gone.delete()

    assert list(Note.all_objects.alive()) == [alive]
    assert list(Note.all_objects.deleted()) == [gone]
