"""The internal letter (format v1): model, loader, Thai numbers and dates, codes and policy."""

from typing import TYPE_CHECKING

from ecms_gateway.lazy import exports

if TYPE_CHECKING:
    from ecms_gateway.letter.codes import Kind, Secrecy, Speed
    from ecms_gateway.letter.model import FileData, FileRef, Letter, LetterPackage, Party, Reference, Signer

__all__ = [
    "FileData",
    "FileRef",
    "Kind",
    "Letter",
    "LetterPackage",
    "Party",
    "Reference",
    "Secrecy",
    "Signer",
    "Speed",
]

# Each name loads its module when first used: the package's light modules stay light.
__getattr__ = exports(
    __name__,
    {
        "Kind": "codes",
        "Secrecy": "codes",
        "Speed": "codes",
        "FileData": "model",
        "FileRef": "model",
        "Letter": "model",
        "LetterPackage": "model",
        "Party": "model",
        "Reference": "model",
        "Signer": "model",
    },
)
