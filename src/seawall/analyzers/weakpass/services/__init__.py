"""One module per password store; each registers a ServiceParser on import."""

from seawall.component_registry import import_submodules

import_submodules(__name__)
