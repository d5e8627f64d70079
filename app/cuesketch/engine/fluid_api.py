"""The libfluidsynth calls pyfluidsynth does not wrap, declared on its own ctypes handle.

pyfluidsynth loads the system's libfluidsynth (``fluidsynth._fl``); we add float rendering,
channel types, the callback audio driver and the log switch. Importing this module raises
ImportError when there is no libfluidsynth: callers turn that into a plain message.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
from ctypes import CFUNCTYPE, POINTER, c_char_p, c_double, c_float, c_int, c_void_p
from typing import Any

# pyfluidsynth prints where it found the library whenever CI is set in the environment; that
# line must not land in our standard output (JSON export, a test's pipe).
with contextlib.redirect_stdout(io.StringIO()):
    import fluidsynth as _pyfluidsynth

lib: Any = _pyfluidsynth._fl
Synth = _pyfluidsynth.Synth

FLUID_OK = 0
FLUID_FAILED = -1
CHANNEL_TYPE_MELODIC = 0
CHANNEL_TYPE_DRUM = 1
LOG_PANIC, LOG_ERR, LOG_WARN, LOG_INFO, LOG_DBG = range(5)


def _declare(name: str, restype: Any, *argtypes: Any) -> Any:
    func = getattr(lib, name, None)
    if func is None:
        return None
    func.restype = restype
    func.argtypes = list(argtypes)
    return func


# int fluid_synth_write_float(synth, len, void *lout, int loff, int lincr, void *rout, ...)
write_float = _declare("fluid_synth_write_float", c_int, c_void_p, c_int,
                       c_void_p, c_int, c_int, c_void_p, c_int, c_int)
set_channel_type = _declare("fluid_synth_set_channel_type", c_int, c_void_p, c_int, c_int)
program_select = _declare("fluid_synth_program_select", c_int, c_void_p, c_int, c_int, c_int, c_int)
noteon = _declare("fluid_synth_noteon", c_int, c_void_p, c_int, c_int, c_int)
noteoff = _declare("fluid_synth_noteoff", c_int, c_void_p, c_int, c_int)
cc = _declare("fluid_synth_cc", c_int, c_void_p, c_int, c_int, c_int)
pitch_bend = _declare("fluid_synth_pitch_bend", c_int, c_void_p, c_int, c_int)
all_notes_off = _declare("fluid_synth_all_notes_off", c_int, c_void_p, c_int)
all_sounds_off = _declare("fluid_synth_all_sounds_off", c_int, c_void_p, c_int)
active_voices = _declare("fluid_synth_get_active_voice_count", c_int, c_void_p)
set_sample_rate = _declare("fluid_synth_set_sample_rate", None, c_void_p, c_float)
sfload = _declare("fluid_synth_sfload", c_int, c_void_p, c_char_p, c_int)
sfunload = _declare("fluid_synth_sfunload", c_int, c_void_p, c_int, c_int)
get_sfont_by_id = _declare("fluid_synth_get_sfont_by_id", c_void_p, c_void_p, c_int)
sfont_get_preset = _declare("fluid_sfont_get_preset", c_void_p, c_void_p, c_int, c_int)
sfont_iteration_start = _declare("fluid_sfont_iteration_start", None, c_void_p)
sfont_iteration_next = _declare("fluid_sfont_iteration_next", c_void_p, c_void_p)
preset_get_name = _declare("fluid_preset_get_name", c_char_p, c_void_p)
preset_get_banknum = _declare("fluid_preset_get_banknum", c_int, c_void_p)
preset_get_num = _declare("fluid_preset_get_num", c_int, c_void_p)

settings_new = _declare("new_fluid_settings", c_void_p)
settings_delete = _declare("delete_fluid_settings", None, c_void_p)
settings_setstr = _declare("fluid_settings_setstr", c_int, c_void_p, c_char_p, c_char_p)
settings_setint = _declare("fluid_settings_setint", c_int, c_void_p, c_char_p, c_int)
settings_setnum = _declare("fluid_settings_setnum", c_int, c_void_p, c_char_p, c_double)
settings_getnum = _declare("fluid_settings_getnum", c_int, c_void_p, c_char_p, POINTER(c_double))

# typedef int (*fluid_audio_func_t)(void *data, int len, int nfx, float *fx[], int nout, float *out[])
AUDIO_FUNC = CFUNCTYPE(c_int, c_void_p, c_int, c_int, POINTER(POINTER(c_float)), c_int,
                       POINTER(POINTER(c_float)))
new_audio_driver2 = _declare("new_fluid_audio_driver2", c_void_p, c_void_p, AUDIO_FUNC, c_void_p)
delete_audio_driver = _declare("delete_fluid_audio_driver", None, c_void_p)

LOG_FUNC = CFUNCTYPE(None, c_int, c_char_p, c_void_p)
_set_log_function = _declare("fluid_set_log_function", c_void_p, c_int, c_void_p, c_void_p)


def quiet_logs() -> None:
    """Silence FluidSynth's warnings and chatter on stderr (errors still print).

    A synth without a preset on a channel warns on every note; the engine reports what
    matters (a missing SoundFont, a failed driver) itself.
    """
    if _set_log_function is None:
        return
    for level in (LOG_WARN, LOG_INFO, LOG_DBG):
        _set_log_function(level, None, None)


def settings_number(settings: int, name: str) -> float | None:
    value = c_double()
    if settings_getnum(settings, name.encode(), ctypes.byref(value)) == FLUID_OK:
        return value.value
    return None


def set_setting(settings: int, name: str, value: str | int | float) -> bool:
    key = name.encode()
    if isinstance(value, str):
        return bool(settings_setstr(settings, key, value.encode()) == FLUID_OK)
    if isinstance(value, int):
        return bool(settings_setint(settings, key, value) == FLUID_OK)
    return bool(settings_setnum(settings, key, float(value)) == FLUID_OK)
