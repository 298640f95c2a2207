"""The table of image sources, one per transport name (``docker-archive``, ``oci`` ...).

Each source module registers its :class:`ImageSource` with :func:`register_source`
when imported; :mod:`.all` imports them all, and :mod:`.transports` (which resolves
references) imports :mod:`.all`.
"""

from __future__ import annotations

from seawall.component_registry import ComponentRegistry
from seawall.sources.interface import ImageSource

SOURCES: ComponentRegistry[ImageSource] = ComponentRegistry("image source")


def register_source(cls: type[ImageSource]) -> type[ImageSource]:
    """Class decorator: register one instance under ``cls.transport``."""
    SOURCES.add(cls.transport, cls())
    return cls
