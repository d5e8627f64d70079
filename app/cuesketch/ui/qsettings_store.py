"""Preferences kept in QSettings, seen as the string mapping that ``cuesketch.prefs`` reads."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping

from PySide6.QtCore import QSettings


class QSettingsMapping(MutableMapping[str, str]):
    GROUP = "preferences"

    def __init__(self, settings: QSettings | None = None) -> None:
        self.settings = settings or QSettings("Cuesketch", "Cuesketch")

    def _key(self, key: str) -> str:
        return f"{self.GROUP}/{key}"

    def __getitem__(self, key: str) -> str:
        value = self.settings.value(self._key(key))
        if value is None:
            raise KeyError(key)
        return str(value)

    def __setitem__(self, key: str, value: str) -> None:
        self.settings.setValue(self._key(key), value)

    def __delitem__(self, key: str) -> None:
        self.settings.remove(self._key(key))

    def __iter__(self) -> Iterator[str]:
        self.settings.beginGroup(self.GROUP)
        try:
            return iter(list(self.settings.childKeys()))
        finally:
            self.settings.endGroup()

    def __len__(self) -> int:
        return len(list(iter(self)))
