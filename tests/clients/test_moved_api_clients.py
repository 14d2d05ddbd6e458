"""API clients moved from the checks app to the clients app: an installation upgraded across
the move keeps its programs' keys, limits and states."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from chinhthong.clients import api_keys

BEFORE = [("checks", "0004_text_and_link_validators"), ("clients", None)]
AFTER = [("checks", "0005_delete_apiclient"), ("clients", "0002_copy_api_clients")]


@pytest.mark.django_db(transaction=True)
def test_keys_made_before_the_move_still_work_after_it():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    state = executor.loader.project_state([BEFORE[0]])
    old = state.apps.get_model("checks", "ApiClient")
    key = "ct_khoa-cu-cua-cong-thu"
    old.objects.create(
        name="cong-thu",
        description="Cổng thư",
        key_prefix=key[:10],
        key_digest=api_keys.digest(key),
        rate="6000/m",
        active=True,
    )
    old.objects.create(name="cu", key_prefix="ct_x", key_digest="0" * 64, active=False)
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    api_keys.forget()
    client = api_keys.client_for(key)
    assert client is not None and client.name == "cong-thu" and client.rate == "6000/m"
    assert api_keys.client_for("ct_x") is None
