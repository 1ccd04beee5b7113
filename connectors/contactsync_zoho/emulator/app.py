"""An emulator of the Zoho CRM REST API v8 subset contactsync uses, as a WSGI app.

Routes (below ``/crm/v8``): ``GET /settings/modules``, ``GET /settings/fields``,
``GET /{module}`` (``fields`` ≤ 50, ``page``/``per_page`` up to 2,000 records then
``page_token``, ``ids``, ``sort_by``, ``If-Modified-Since`` → 304), ``GET /{module}/search``,
``POST /coql``, ``GET /{module}/deleted``, ``POST /{module}`` (insert),
``POST /{module}/upsert``, ``PUT /{module}`` (``If-Unmodified-Since`` → 412
``ALREADY_MODIFIED``), ``DELETE /{module}?ids=``. Writes take at most 100 records and
answer 200/201, 207 (mixed), 400 or 412 with one ``data`` entry per input record.

Requests need ``Authorization: Zoho-oauthtoken <token>`` with a token from the accounts
emulator (``INVALID_TOKEN`` once it expires); ``deny()`` makes paths answer
``OAUTH_SCOPE_MISMATCH``. Stamps come from the store's clock (deterministic) and are
rendered in the org's zone (``offset``), as Zoho does. Transport faults (429, 5xx, lost
answers) come from the harness's ``FaultScript``; ``reject()`` fails one record's write.
"""

from __future__ import annotations

from contactsync_zoho.emulator.base import API, ID_PREFIX, ZohoBase
from contactsync_zoho.emulator.reads import ReadRoutes
from contactsync_zoho.emulator.writes import WriteRoutes

__all__ = ["API", "ID_PREFIX", "ZohoBase", "ZohoEmulator"]


class ZohoEmulator(WriteRoutes, ReadRoutes):
    """The CRM API of one emulated org (see the module docstring and ``ZohoBase``).

    The read routes are registered before the write routes, so ``POST /coql`` is not
    taken for an insert into a module named ``coql``.
    """
