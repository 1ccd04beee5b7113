"""Several stores on one database at once: opening, migrating and writing concurrently."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import text
from state_helpers import Backend, link

from contactsync.state import LATEST_VERSION, StateStore


def _in_threads(count: int, work: Callable[[int], None]) -> list[BaseException]:
    start = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(number: int) -> None:
        try:
            start.wait()
            work(number)
        except BaseException as exc:  # reported to the test below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_two_stores_open_a_new_database_at_once(backend: Backend) -> None:
    stores: dict[int, StateStore] = {}

    def open_one(number: int) -> None:
        stores[number] = backend.open()

    assert _in_threads(2, open_one) == []
    assert {store.schema_version() for store in stores.values()} == {LATEST_VERSION}
    with stores[0].engine.connect() as conn:
        versions = conn.execute(text("SELECT version FROM schema_version")).scalars().all()
    assert sorted(versions) == list(range(1, LATEST_VERSION + 1))  # each migration ran once


def test_two_stores_write_and_see_each_other(backend: Backend) -> None:
    one, two = backend.open(), backend.open()
    one.save_links([link("k1", "r1")])
    assert two.link_for("crm", "EC__c", "r1") == link("k1", "r1")
    two.save_links([link("k2", "r2")])
    assert [found.key for found in one.load_links()] == ["k1", "k2"]


def test_concurrent_writers_all_land(backend: Backend) -> None:
    stores = [backend.open(), backend.open()]

    def write(number: int) -> None:
        store = stores[number]
        for batch in range(10):
            with store.transaction():
                store.save_links([link(f"k{number}-{batch}", f"r{number}-{batch}")])
                store.try_lock(f"c{number}", f"w{number}", timedelta(minutes=1))
            store.set_cursor("crm", f"O{number}", "emergency", f'{{"n":{batch}}}')

    assert _in_threads(2, write) == []
    assert len(stores[0].load_links()) == 20
    assert stores[1].get_cursor("crm", "O0") == '{"n":9}'
    assert stores[0].get_cursor("crm", "O1") == '{"n":9}'


def test_one_store_shared_by_threads(store: StateStore) -> None:
    def write(number: int) -> None:
        for batch in range(10):
            store.save_links([link(f"k{number}-{batch}", f"r{number}-{batch}")])

    assert _in_threads(4, write) == []
    assert len(store.load_links()) == 40
