"""The internal letter (format v1): model, loader, Thai numbers and dates, codes and policy."""

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
