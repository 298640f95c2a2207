"""One FileSystem API over every target: layered images, single layers, containers,
unpacked root filesystems and the host."""

from seawall.fs.interface import FileInfo, FileSystem, FileType

__all__ = ["FileInfo", "FileSystem", "FileType"]
