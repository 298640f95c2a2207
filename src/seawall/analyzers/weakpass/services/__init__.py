"""One module per password store; each registers a ServiceParser on import (all of
them imported by :mod:`.all`)."""
