"""`servicenow_record`'s operations called directly (no Terraform, no HTTP) against an in-memory
instance: what each writes, the state it returns, and its diagnostics' summary and detail."""

from __future__ import annotations

from typing import Any

import pytest
from helpers.fake_servicenow import FakeProvider, FakeServiceNow
from terraform_provider_servicenow.resource_record import RecordResource, RecordState
from tf.iface import CreateContext, DeleteContext, PlanContext, ReadContext, UpdateContext
from tf.types import Unknown
from tf.utils import Diagnostics

TYPE = "servicenow_record"
TABLE = "sys_certificate"
COLUMNS = {TABLE: {"name", "short_description", "active", "format"}}


def planned(**values: Any) -> dict[str, Any]:
    """A planned state as Terraform sends it to create: unset attributes null, computed unknown."""
    state: dict[str, Any] = {
        "id": Unknown,
        "table": TABLE,
        "fields": None,
        "sensitive_fields": None,
        "match_on": None,
        "on_destroy": None,
        "sys_id": Unknown,
        "adopted": Unknown,
        "adopted_values": Unknown,
    }
    return state | values


def messages(diags: Diagnostics) -> list[tuple[str, str, str]]:
    return [(d.severity, d.summary, d.detail or "") for d in diags.diagnostics]


@pytest.fixture
def fake() -> FakeServiceNow:
    return FakeServiceNow(columns=COLUMNS)


@pytest.fixture
def resource(fake: FakeServiceNow) -> RecordResource:
    return RecordResource(FakeProvider(fake))


def create(resource: RecordResource, state: dict[str, Any]) -> tuple[dict[str, Any] | None, Diagnostics]:
    diags = Diagnostics()
    return resource.create(CreateContext(diags, TYPE), state), diags


# ----------------------------------------------------------------------------- create


def test_unit_create_inserts_fields_and_secrets_once(resource: RecordResource, fake: FakeServiceNow) -> None:
    state, diags = create(
        resource, planned(fields={"name": "a", "active": "true"}, sensitive_fields={"format": "pem"})
    )
    assert messages(diags) == []
    assert state is not None
    [(sys_id, record)] = fake.records[TABLE].items()
    assert record == {"sys_id": sys_id, "name": "a", "active": "true", "format": "pem"}
    assert (state["id"], state["sys_id"], state["adopted"], state["adopted_values"]) == (
        f"{TABLE}/{sys_id}",
        sys_id,
        False,
        None,
    )
    assert [call[0] for call in fake.writes()] == ["create"]


def test_unit_create_reports_a_column_the_table_lacks_and_keeps_the_state(
    resource: RecordResource, fake: FakeServiceNow
) -> None:
    state, diags = create(resource, planned(fields={"name": "a", "colour": "blue"}))
    assert state is not None and state["sys_id"] in fake.records[TABLE]  # written: kept (tainted)
    assert messages(diags) == [
        (
            "error",
            "table 'sys_certificate' has no column 'colour' (ServiceNow ignored it)",
            "Check the column names in System Definition > Dictionary (sys_dictionary) for this table.",
        )
    ]


def test_unit_create_warns_when_the_instance_stores_another_value(
    resource: RecordResource, fake: FakeServiceNow
) -> None:
    fake.stores_as = {"format": {"PEM": "pem"}}
    _, diags = create(resource, planned(fields={"name": "a", "format": "PEM"}))
    assert messages(diags) == [
        (
            "warning",
            "ServiceNow stored sys_certificate.format as 'pem', not 'PEM'",
            "Use the value ServiceNow stores (e.g. a choice value or sys_id, not a label), or every plan "
            "will show a change.",
        )
    ]


def test_unit_create_refuses_a_bad_on_destroy_before_writing(
    resource: RecordResource, fake: FakeServiceNow
) -> None:
    state, diags = create(resource, planned(fields={"name": "a"}, on_destroy="forget"))
    assert state is None and fake.writes() == []
    assert messages(diags) == [("error", "on_destroy must be one of delete, keep, restore, not 'forget'", "")]


def test_unit_create_on_an_unconfigured_provider_says_so() -> None:
    state, diags = create(RecordResource(FakeProvider(None)), planned(fields={"name": "a"}))
    assert state is None
    assert messages(diags) == [
        (
            "error",
            "the servicenow provider is not configured",
            "Terraform did not configure the provider before using it (unknown provider values?).",
        )
    ]


# --------------------------------------------------------------------------- adoption


def test_unit_adoption_patches_only_what_differs_and_remembers_before(
    resource: RecordResource, fake: FakeServiceNow
) -> None:
    existing = fake.add(TABLE, {"name": "ootb", "short_description": "hand-made", "active": "true"})
    state, diags = create(
        resource,
        planned(
            fields={"name": "ootb", "short_description": "ours", "active": "1"},
            sensitive_fields={"format": "pem"},
            match_on=["name"],
        ),
    )
    assert messages(diags) == []
    assert state is not None and state["sys_id"] == existing and state["adopted"] is True
    assert state["adopted_values"] == {"name": "ootb", "short_description": "hand-made", "active": "true"}
    # "1" means "true" on a boolean: not written; the secret always is.
    assert fake.writes() == [("update", TABLE, existing, {"short_description": "ours", "format": "pem"})]
    assert len(fake.records[TABLE]) == 1


def test_unit_adoption_without_a_match_creates(resource: RecordResource, fake: FakeServiceNow) -> None:
    fake.add(TABLE, {"name": "other"})
    state, _ = create(resource, planned(fields={"name": "mine"}, match_on=["name"]))
    assert state is not None and state["adopted"] is False
    assert [call[0] for call in fake.writes()] == ["create"]


def test_unit_adoption_of_several_matches_is_an_error_naming_them(
    resource: RecordResource, fake: FakeServiceNow
) -> None:
    first, second = fake.add(TABLE, {"name": "twin"}), fake.add(TABLE, {"name": "twin"})
    state, diags = create(resource, planned(fields={"name": "twin"}, match_on=["name"]))
    assert state is None and fake.writes() == []
    assert messages(diags) == [
        (
            "error",
            f"match_on found 2 records in 'sys_certificate' with name='twin': {first}, {second}",
            "Add columns to match_on so exactly one record matches, or remove the duplicates.",
        )
    ]


def test_unit_adoption_ignores_a_case_insensitive_server_match(
    resource: RecordResource, fake: FakeServiceNow
) -> None:
    fake.add(TABLE, {"name": "Twin"})  # the instance's `=` matches it; our exact check does not
    state, _ = create(resource, planned(fields={"name": "twin"}, match_on=["name"]))
    assert state is not None and state["adopted"] is False and len(fake.records[TABLE]) == 2


# ------------------------------------------------------------------------ read / plan


def test_unit_read_keeps_our_spelling_shows_drift_and_drops_a_deleted_record(
    resource: RecordResource, fake: FakeServiceNow
) -> None:
    sys_id = fake.add(TABLE, {"name": "changed", "active": "true", "format": "pem"})
    current = planned(fields={"name": "mine", "active": "1"}, sys_id=sys_id, id=f"{TABLE}/{sys_id}")
    diags = Diagnostics()
    state = resource.read(ReadContext(diags, TYPE), current)
    assert state is not None and state["fields"] == {"name": "changed", "active": "1"}
    assert fake.calls[-1] == ("get", TABLE, sys_id, None)

    del fake.records[TABLE][sys_id]
    assert resource.read(ReadContext(diags, TYPE), current) is None
    assert messages(diags) == []


def test_unit_plan_marks_adopted_values_unknown_only_for_a_new_column_of_an_adopted_record(
    resource: RecordResource,
) -> None:
    adopted = planned(fields={"name": "a"}, adopted=True, adopted_values={"name": "a"}, sys_id="1")
    ctx = PlanContext(Diagnostics(), TYPE, set())
    grown = resource.plan(ctx, adopted, planned(fields={"name": "a", "format": "pem"}))
    assert grown is not None and grown["adopted_values"] is Unknown
    same = resource.plan(ctx, adopted, planned(fields={"name": "b"}, adopted_values={"name": "a"}))
    assert same is not None and same["adopted_values"] == {"name": "a"}
    ours = adopted | {"adopted": False, "adopted_values": None}
    created = resource.plan(ctx, ours, planned(fields={"name": "a", "format": "pem"}, adopted_values=None))
    assert created is not None and created["adopted_values"] is None


# ----------------------------------------------------------------------------- update


def test_unit_update_writes_only_changed_columns_and_changed_secrets(
    resource: RecordResource, fake: FakeServiceNow
) -> None:
    sys_id = fake.add(TABLE, {"name": "a", "active": "true", "format": "pem"})
    current = planned(
        fields={"name": "a", "active": "true"},
        sensitive_fields={"format": "pem"},
        sys_id=sys_id,
        adopted=False,
        adopted_values=None,
    )
    new = current | {"fields": {"name": "a", "active": "false"}, "sensitive_fields": {"format": "der"}}
    diags = Diagnostics()
    state = resource.update(UpdateContext(diags, TYPE), current, new)
    assert messages(diags) == [] and state is not None and state["adopted_values"] is None
    assert fake.writes() == [("update", TABLE, sys_id, {"active": "false", "format": "der"})]


def test_unit_update_of_a_record_deleted_meanwhile_is_an_error(resource: RecordResource) -> None:
    current = planned(fields={"name": "a"}, sys_id="f" * 32, adopted=False, adopted_values=None)
    diags = Diagnostics()
    state = resource.update(UpdateContext(diags, TYPE), current, current | {"fields": {"name": "b"}})
    assert state == current
    assert messages(diags) == [
        (
            "error",
            f"the record sys_certificate/{'f' * 32} was deleted outside Terraform during apply",
            "Run terraform apply again: the refresh will notice and create it.",
        )
    ]


def test_unit_update_remembers_the_pre_adoption_value_of_a_new_column(
    resource: RecordResource, fake: FakeServiceNow
) -> None:
    sys_id = fake.add(TABLE, {"name": "a", "format": "der"})
    current = planned(fields={"name": "a"}, sys_id=sys_id, adopted=True, adopted_values={"name": "a"})
    new = current | {"fields": {"name": "a", "format": "pem"}, "adopted_values": Unknown}
    state = resource.update(UpdateContext(Diagnostics(), TYPE), current, new)
    assert state is not None and state["adopted_values"] == {"name": "a", "format": "der"}
    assert fake.records[TABLE][sys_id]["format"] == "pem"


# ----------------------------------------------------------------------------- delete


def _delete(resource: RecordResource, state: dict[str, Any]) -> Diagnostics:
    diags = Diagnostics()
    assert resource.delete(DeleteContext(diags, TYPE), state) is None
    return diags


@pytest.mark.parametrize(
    ("adopted", "on_destroy", "left"),
    [
        (False, None, None),  # ours: deleted
        (True, None, {"name": "a", "short_description": "ours"}),  # adopted: kept as it is
        (False, "keep", {"name": "a", "short_description": "ours"}),
        (True, "delete", None),
        (True, "restore", {"name": "a", "short_description": "before"}),
        (False, "restore", None),  # created by us: before us there was nothing
    ],
)
def test_unit_delete_keep_restore_delete(
    resource: RecordResource,
    fake: FakeServiceNow,
    adopted: bool,
    on_destroy: str | None,
    left: dict[str, str] | None,
) -> None:
    sys_id = fake.add(TABLE, {"name": "a", "short_description": "ours"})
    state = planned(
        fields={"name": "a", "short_description": "ours"},
        on_destroy=on_destroy,
        sys_id=sys_id,
        adopted=adopted,
        adopted_values={"short_description": "before"} if adopted else None,
    )
    assert messages(_delete(resource, state)) == []
    record = fake.records[TABLE].get(sys_id)
    assert (None if record is None else {k: v for k, v in record.items() if k != "sys_id"}) == left


def test_unit_delete_of_a_record_already_gone_succeeds(
    resource: RecordResource, fake: FakeServiceNow
) -> None:
    state = planned(fields={"name": "a"}, sys_id="e" * 32, adopted=False, adopted_values=None)
    assert messages(_delete(resource, state)) == []
    assert fake.writes() == [("delete", TABLE, "e" * 32, None)]


# ------------------------------------------------------------------------ state object


def test_unit_record_state_reads_unset_values_as_empty() -> None:
    state = RecordState.of(planned(sys_id="1", adopted=False, adopted_values=None))
    assert (state.fields, state.fields_set, state.secrets, state.match_on) == ({}, False, {}, ())
    assert (state.adopted_values, state.adopted_values_pending, state.destroy_mode) == ({}, False, "delete")
    pending = RecordState.of(planned(fields={"name": "a"}, match_on=["name"], adopted=True))
    assert pending.adopted_values_pending and pending.destroy_mode == "keep"
    assert pending.match == {"name": "a"}
