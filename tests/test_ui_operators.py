"""The operators page: an upload or an edit of the table is saved only when the importer accepts every row; a
refused one lists its problems by line (file) or row (table) and field and changes nothing; the history grows."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest

from helpers.ui_pages import FEBRUARY, open_page, rules
from planner.samples import sample_operators, write_operators_csv
from ui.operators import SAVE, UPLOAD, table_key
from ui.views import DISCARD, REAPPLY


@pytest.fixture
def store(small_month_store):
    return small_month_store


def _edit(at, store, edits: dict) -> None:
    """What the browser's editor sends: the changes on top of the table it was given."""
    at.session_state[table_key(store.load_operators(FEBRUARY.label))] = {
        "edited_rows": {}, "added_rows": [], "deleted_rows": []} | edits


def test_the_table_shows_the_saved_operators_as_their_csv_text(store):
    at = open_page("operators")
    assert not at.exception
    [editor] = at.data_editor
    assert editor.key == table_key(store.load_operators(FEBRUARY.label))
    assert editor.editing_mode == "dynamic"
    table = editor.value
    first = store.load_operators(FEBRUARY.label).operators[0]
    assert list(table["id"]) == [op.id for op in store.load_operators(FEBRUARY.label).operators]
    assert table.loc[0, "phone"] == first.phone  # no formula guard shown before "+7 ..."
    assert table.loc[0, "rate"] == "1.0" and table.loc[0, "latest_end"] == "24:00"


def test_an_edited_table_is_saved_as_a_new_list_and_the_editor_starts_afresh(store):
    at = open_page("operators")
    _edit(at, store, {"edited_rows": {0: {"name": "Анна Новикова"}}, "deleted_rows": [1],
                      "added_rows": [{"id": "new1", "name": "New Operator", "rate": "0.5"}]})
    at.button(key=SAVE).click().run()

    assert not at.exception
    saved = store.load_operators(FEBRUARY.label)
    assert len(store.operator_history(FEBRUARY.label)) == 2
    assert saved.operators[0].name == "Анна Новикова"
    assert [op.id for op in saved.operators][1] == "op003" and saved.operators[-1].id == "new1"
    assert saved.operators[-1].rate == 0.5 and saved.saved_by == "anna"
    assert at.success[0].value == "12 operators saved."
    assert at.data_editor[0].key == table_key(saved)


def test_an_operators_own_limits_and_shift_requests_are_edited_in_the_table(store):
    at = open_page("operators")
    _edit(at, store, {"edited_rows": {0: {"max_consecutive_days": "4", "max_working_weekends": "1",
                                          "shift_requests": "2026-02-10:evening"}}})
    at.button(key=SAVE).click().run()

    assert not at.exception
    first = store.load_operators(FEBRUARY.label).operators[0]
    assert (first.max_consecutive_days, first.max_working_weekends) == (4, 1)
    assert [str(wish) for wish in first.shift_requests] == ["2026-02-10:evening"]
    assert at.data_editor[0].value.loc[0, "max_consecutive_days"] == "4"


def test_an_invalid_edit_is_refused_by_row_and_field_and_nothing_is_saved(store):
    before = store.load_operators(FEBRUARY.label)
    at = open_page("operators")
    _edit(at, store, {"edited_rows": {2: {"rate": "0.3"}, 4: {"earliest_start": "25:00"}}})
    at.button(key=SAVE).click().run()

    assert not at.exception
    [error] = at.error
    assert "Row 3, field `rate`" in error.value and "0.3" in error.value
    assert "Row 5, field `earliest_start`" in error.value
    assert store.load_operators(FEBRUARY.label) == before


def test_an_upload_replaces_the_list_and_a_bad_one_names_its_lines(store):
    people = sample_operators(5, FEBRUARY, rules(), seed=9)
    text = io.StringIO()
    write_operators_csv(people, text)
    at = open_page("operators")
    at.file_uploader(key=UPLOAD).set_value(("team.csv", text.getvalue().encode(), "text/csv")).run()

    assert not at.exception
    saved = store.load_operators(FEBRUARY.label)
    assert saved.operators == people and saved.source == "team.csv"
    assert at.success[0].value == "5 operators imported from team.csv."

    bad = text.getvalue().replace(",1.0,", ",2,", 1).encode()
    at.file_uploader(key=UPLOAD).set_value(("bad.csv", bad, "text/csv")).run()
    assert "Line " in at.error[0].value and "field `rate`" in at.error[0].value
    assert store.load_operators(FEBRUARY.label) == saved
    history = next(frame.value for frame in at.dataframe if frame.editing_mode == "read_only")
    assert list(history["By"]) == ["anna", "tester"]


def test_showing_the_operators_list_is_recorded_once_per_session(small_month_store):
    # Issue 15, item 13: who saw the addresses and phones, and when.
    at = open_page("operators")
    at.run()
    [view] = small_month_store.audit_log(actions={"view"})
    assert (view.user, view.action) == ("anna", "view")
    assert view.what.startswith("operators 2026-02, list ") and view.what.endswith("(12 operators)")


def test_item_10_a_table_saved_on_a_list_someone_replaced_is_refused_then_reapplied_on_theirs(store):
    at = open_page("operators")
    opened = store.load_operators(FEBRUARY.label)
    editor_key = at.data_editor[0].key
    theirs = tuple(op if i != 5 else replace(op, name="Their edit") for i, op in enumerate(opened.operators))
    store.save_operators(FEBRUARY.label, theirs, "boris", source="boris", based_on=opened.id)
    at.session_state[editor_key] = {"edited_rows": {0: {"name": "My edit"}}, "added_rows": [], "deleted_rows": []}

    at.button(key=SAVE).click().run()

    assert not at.exception
    assert store.load_operators(FEBRUARY.label).operators == theirs  # nothing of mine written over theirs
    [error] = at.error
    assert "Not saved: boris saved the operators" in error.value
    assert f"Your changes: {opened.operators[0].id}" in error.value
    assert f"Their changes: {opened.operators[5].id}" in error.value
    assert at.data_editor[0].key == editor_key  # my edits stay on screen, on the list I opened
    assert "boris saved a newer list" in at.warning[0].value

    at.button(key=REAPPLY).click().run()

    assert not at.exception and not at.error
    merged = store.load_operators(FEBRUARY.label)
    assert [op.name for op in merged.operators][0] == "My edit" and merged.operators[5].name == "Their edit"
    assert merged.saved_by == "anna"
    assert at.success[0].value == "12 operators saved: your changes re-applied on the current list."
    assert at.data_editor[0].key == table_key(merged)


def test_item_10_a_refused_table_can_be_discarded_for_theirs(store):
    at = open_page("operators")
    opened = store.load_operators(FEBRUARY.label)
    editor_key = at.data_editor[0].key
    theirs = store.save_operators(FEBRUARY.label, opened.operators[:11], "boris", based_on=opened.id)
    at.session_state[editor_key] = {"edited_rows": {0: {"name": "My edit"}}, "added_rows": [], "deleted_rows": []}
    at.button(key=SAVE).click().run()

    at.button(key=DISCARD).click().run()

    assert not at.exception and not at.error
    assert store.load_operators(FEBRUARY.label) == theirs
    assert at.data_editor[0].key == table_key(theirs)


def test_item_10_an_upload_onto_a_list_someone_replaced_is_refused(store):
    at = open_page("operators")
    opened = store.load_operators(FEBRUARY.label)
    theirs = store.save_operators(FEBRUARY.label, opened.operators[:11], "boris", based_on=opened.id)
    text = io.StringIO()
    write_operators_csv(opened.operators, text)

    at.file_uploader(key=UPLOAD).set_value(("team.csv", text.getvalue().encode(), "text/csv")).run()

    assert store.load_operators(FEBRUARY.label) == theirs
    assert "Not saved: boris saved the operators" in at.error[0].value
