"""Many threads that validate for the first time at once each get a working schema."""

from __future__ import annotations

import threading

from ecms_gateway.codec import DeleteRequest, encode, validate


def _race(workers: int) -> list[BaseException]:
    """``workers`` new threads (each compiles its own schema on first use) validate at the same moment."""
    barrier = threading.Barrier(workers)
    errors: list[BaseException] = []
    element = encode(DeleteRequest(process_id="42"))

    def first_use() -> None:
        barrier.wait()
        try:
            validate(element, "CorrespondenceLetterDeleteRequest")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=first_use) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_threads_compiling_the_schema_at_once_all_validate() -> None:
    # The race is in a process's first compiles: without the compile lock this failed about one run in
    # six (it crashed a node once in the end-to-end tests); with the lock it must never fail.
    assert _race(12) == []
