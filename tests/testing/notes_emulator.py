"""A tiny emulator for the harness and cassette tests: keyed notes, batches, paging."""

from __future__ import annotations

from datetime import datetime

from contactsync.testing.emulator import EmulatorApp, Request, Response, json_response, route


class Notes(EmulatorApp):
    """A tiny emulator: a keyed note store with batches and paging."""

    max_batch = 2

    @route("GET", "/notes")
    def list_notes(self, request: Request) -> Response:
        after = request.arg("after")
        position = None
        if after:
            stamp, record_id = after.split("|")
            position = (datetime.fromisoformat(stamp), record_id)
        page = self.store.page("notes", limit=int(request.arg("limit") or 10), after=position)
        next_after = (
            f"{page.after[0].isoformat()}|{page.after[1]}" if page.more and page.after else None
        )
        return json_response(
            {"notes": [dict(r.values, id=r.id) for r in page.records], "after": next_after}
        )

    @route("GET", "/notes/{note_id}")
    def one(self, request: Request) -> Response:
        record = self.store.get("notes", request.params["note_id"])
        if record is None:
            return self.error(404, "NOT_FOUND", "no such note")
        return json_response(dict(record.values, id=record.id))

    @route("POST", "/notes")
    def upsert(self, request: Request) -> Response:
        items = request.json()
        refused = self.note_write("notes", len(items))
        if refused is not None:
            return refused
        results = []
        with self.store.batch():
            for item in items:
                fault = self.take_rejection(item["key"])
                if fault is not None:
                    results.append({"ok": False, "code": fault.code, "field": fault.field})
                    continue
                record, created = self.store.upsert("notes", "key", item)
                results.append({"ok": True, "id": record.id, "created": created})
        return json_response(results)
