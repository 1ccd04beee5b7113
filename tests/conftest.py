"""Test-suite wide setup: helper modules at ``tests/`` level are importable from any folder.

``tests/reconcile_helpers.py`` is shared by ``tests/reconcile`` and ``tests/policies``; the
test folders have no ``__init__.py``, so this folder is put on ``sys.path`` explicitly
(pytest's default import mode would too, but the importlib mode would not).
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
