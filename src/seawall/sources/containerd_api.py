"""A read-only client for containerd's gRPC API (images, content, namespaces).

Uses grpcio's generic calls with the few messages hand-encoded by
:mod:`seawall.sources.protobuf_wire`: no generated stubs, no ``ctr`` subprocess.
The namespace travels as the ``containerd-namespace`` metadata, as ctr sends it.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from typing import Any, BinaryIO, cast

from seawall.errors import CorruptArtifactError, NotFoundError, SourceUnavailableError
from seawall.sources.chunk_stream import ChunkStream
from seawall.sources.protobuf_wire import Message, encode_int, encode_string

_IMAGES = "/containerd.services.images.v1.Images/"
_CONTENT = "/containerd.services.content.v1.Content/"
_NAMESPACES = "/containerd.services.namespaces.v1.Namespaces/"
_MAX_MESSAGE = 64 * 1024 * 1024


@dataclass(frozen=True)
class ContainerdDescriptor:
    """``containerd.types.Descriptor``."""

    media_type: str
    digest: str
    size: int


@dataclass(frozen=True)
class ContainerdImage:
    """An image record: a name pointing at a manifest or index."""

    name: str
    target: ContainerdDescriptor
    labels: dict[str, str] = field(default_factory=dict)
    created_at: int = 0
    """Seconds since the epoch."""


def _image(msg: Message) -> ContainerdImage:
    target = msg.message(3)
    if target is None:
        raise CorruptArtifactError(f"containerd image {msg.string(1)!r} has no target")
    created = msg.message(7)
    return ContainerdImage(
        name=msg.string(1),
        labels=msg.string_map(2),
        target=ContainerdDescriptor(target.string(1), target.string(2), target.int_(3)),
        created_at=created.int_(1) if created else 0,
    )


def socket_path(address: str) -> str:
    """``unix:///run/x.sock`` or ``/run/x.sock`` -> ``/run/x.sock``."""
    return address.removeprefix("unix://")


def _content_reader(call: Any, where: str) -> ChunkStream:
    """A stream over a content.Read server stream (ReadContentResponse.data = field 2)."""
    import grpc

    def translate(exc: Exception) -> OSError | None:
        if isinstance(exc, grpc.RpcError):
            return OSError(f"{where}: content read failed: {exc.details()}")
        return None

    chunks = (Message(raw).bytes_(2) for raw in call)
    return ChunkStream(chunks, translate, call.cancel)


class ContainerdClient:
    """One connection to a containerd socket, scoped to a namespace."""

    def __init__(self, address: str, namespace: str, timeout: float = 30.0) -> None:
        try:
            import grpc
        except ImportError:  # pragma: no cover - grpcio is a dependency
            raise SourceUnavailableError("containerd support needs the grpcio package") from None
        self._grpc = grpc
        self.address = socket_path(address)
        self.namespace = namespace
        self._timeout = timeout
        if not os.path.exists(self.address):
            raise SourceUnavailableError(f"containerd socket {self.address} does not exist")
        self._channel = grpc.insecure_channel(
            f"unix://{self.address}",
            options=[("grpc.max_receive_message_length", _MAX_MESSAGE)],
        )

    def close(self) -> None:
        """Close the channel (idempotent)."""
        self._channel.close()

    def _metadata(self) -> list[tuple[str, str]]:
        return [("containerd-namespace", self.namespace)]

    def _fail(self, exc: Any, what: str) -> Exception:
        code = exc.code()
        grpc = self._grpc
        if code == grpc.StatusCode.NOT_FOUND:
            return NotFoundError(f"containerd ({self.namespace}): {what} not found")
        if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
            return SourceUnavailableError(
                f"containerd at {self.address} unavailable: {exc.details()}"
            )
        return SourceUnavailableError(
            f"containerd ({self.namespace}): {what}: {code.name} {exc.details()}"
        )

    def _unary(self, method: str, request: bytes, what: str) -> Message:
        call = self._channel.unary_unary(method)
        try:
            reply = call(request, metadata=self._metadata(), timeout=self._timeout)
        except self._grpc.RpcError as exc:
            raise self._fail(exc, what) from None
        return Message(cast(bytes, reply))

    def get_image(self, name: str) -> ContainerdImage:
        """The image record named exactly ``name``."""
        reply = self._unary(_IMAGES + "Get", encode_string(1, name), f"image {name!r}")
        image = reply.message(1)
        if image is None:
            raise NotFoundError(f"containerd ({self.namespace}): image {name!r} not found")
        return _image(image)

    def list_images(self) -> list[ContainerdImage]:
        """Every image record of the namespace."""
        reply = self._unary(_IMAGES + "List", b"", "image list")
        return [_image(m) for m in reply.messages(1)]

    def list_namespaces(self) -> list[str]:
        """Names of all namespaces."""
        reply = self._unary(_NAMESPACES + "List", b"", "namespace list")
        return [m.string(1) for m in reply.messages(1)]

    def content_size(self, digest: str) -> int:
        """Size of a blob in the content store (NotFoundError when absent)."""
        reply = self._unary(_CONTENT + "Info", encode_string(1, digest), f"blob {digest}")
        info = reply.message(1)
        return info.int_(2) if info else 0

    def open_content(self, digest: str) -> BinaryIO:
        """Stream a blob from the content store."""
        call = self._channel.unary_stream(_CONTENT + "Read")
        stream = call(
            encode_string(1, digest) + encode_int(2, 0),
            metadata=self._metadata(),
        )
        reader = _content_reader(stream, f"containerd blob {digest}")
        return cast(BinaryIO, io.BufferedReader(reader, 1024 * 1024))

    def read_content(self, digest: str, limit: int) -> bytes:
        """A whole small blob (manifest, config), refusing more than ``limit`` bytes."""
        size = self.content_size(digest)
        if size > limit:
            raise CorruptArtifactError(f"containerd blob {digest} larger than {limit} bytes")
        call = self._channel.unary_stream(_CONTENT + "Read")
        data = bytearray()
        try:
            for chunk in call(
                encode_string(1, digest), metadata=self._metadata(), timeout=self._timeout
            ):
                data += Message(chunk).bytes_(2)
                if len(data) > limit:
                    raise CorruptArtifactError(
                        f"containerd blob {digest} larger than {limit} bytes"
                    )
        except self._grpc.RpcError as exc:
            raise self._fail(exc, f"blob {digest}") from None
        return bytes(data)
