"""Marker files from the cutting room: every format read at its lines, drop-frame LOCs the
OTIO adapter skips, other rates converted exactly or refused, malformed files named by line,
and the readers fuzzed: only MarkerFormatError ever comes out."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cuesketch.formats.markers_common import MarkerFormatError, RawMarker, to_project
from cuesketch.formats.markers_edl import write_edl
from cuesketch.formats.markers_io import READ_FORMATS, detect, export_markers, parse_markers
from cuesketch.formats.markers_otio import write_otio
from cuesketch.model.entities import Settings
from cuesketch.model.project import Project
from cuesketch.timing.rates import STANDARD_RATES
from cuesketch.timing.timecode import parse_timecode

R24 = STANDARD_RATES["24"]
DF = STANDARD_RATES["29.97df"]

CMX = """TITLE: Reel 1 v12
FCM: NON-DROP FRAME

004  ZZ100_50 V     C        01:00:10:01 01:00:14:20 00:59:58:00 01:00:02:19
* FROM CLIP NAME:  ZZ100_504C (LAY1)
* LOC: 01:00:01:14 RED     ANIM FIX NEEDED
* LOC: 01:00:02:00 CYAN    door
"""


def tc(label: str, rate=R24) -> int:  # type: ignore[no-untyped-def]
    return int(parse_timecode(label, rate))


def test_a_cmx_edl_s_locators_with_colour_and_line() -> None:
    mf = parse_markers(CMX.encode(), R24, "edl")
    assert [(m.frame, m.color, m.name, m.line) for m in mf.markers] == [
        (tc("01:00:01:14"), "red", "ANIM FIX NEEDED", 6), (tc("01:00:02:00"), "cyan", "door", 7)]


def test_drop_frame_locators_written_by_otio_are_all_read_with_their_colour() -> None:
    frames = [tc("01:00:59;29", DF), tc("01:01:00;02", DF), tc("01:10:00;00", DF)]
    edl = _otio_edl(frames, DF)
    assert edl.count(";") >= 3  # the adapter itself writes them; its reader skips them
    mf = parse_markers(edl.encode(), DF, "edl")
    assert [m.frame for m in mf.markers] == frames
    assert {m.color for m in mf.markers} == {"green"}


def _otio_edl(frames: list[int], rate) -> str:  # type: ignore[no-untyped-def]
    import opentimelineio as otio
    fps = float(rate.fps)
    RT, TR = otio.opentime.RationalTime, otio.opentime.TimeRange
    start = tc("01:00:00;00" if rate.drop else "01:00:00:00", rate)
    tl = otio.schema.Timeline("t")
    track = otio.schema.Track("V1")
    clip = otio.schema.Clip("film", source_range=TR(RT(start, fps), RT(10 * 60 * 60 * 30, fps)))
    for f in frames:
        clip.markers.append(otio.schema.Marker("m", TR(RT(f, fps), RT(0, fps)), color="GREEN"))
    track.append(clip)
    tl.tracks.append(track)
    return str(otio.adapters.write_to_string(tl, "cmx_3600", rate=fps))


def test_resolve_marker_edl() -> None:
    text = ("TITLE: Timeline 1\nFCM: NON-DROP FRAME\n\n"
            "001  001      V     C        01:00:05:00 01:00:05:01 01:00:05:00 01:00:05:01  \n"
            " |C:ResolveColorBlue |M:Walk in |D:24\n\n"
            "002  001      V     C        01:00:06:00 01:00:06:01 01:00:06:00 01:00:06:01  \n"
            " |C:ResolveColorRed |M:Slam |D:1\n")
    mf = parse_markers(text.encode(), R24, detect(Path("m.edl"), text.encode()))
    assert mf.format.startswith("DaVinci")
    assert [(m.frame, m.color, m.name, m.length) for m in mf.markers] == [
        (tc("01:00:05:00"), "blue", "Walk in", 24), (tc("01:00:06:00"), "red", "Slam", 0)]


def test_avid_premiere_pro_tools_and_csv() -> None:
    avid = "Ann\t01:00:01:00\tV1\tred\tDoor slam\t1\textra\n"
    assert detect(Path("m.txt"), avid.encode()) == "avid"
    (m,) = parse_markers(avid.encode(), R24, "avid").markers
    assert (m.frame, m.color, m.name) == (tc("01:00:01:00"), "red", "Door slam")
    premiere = ("Marker Name\tDescription\tIn\tOut\tDuration\tMarker Type\n"
                "Kiss\tswell\t01:00:02:00\t01:00:03:00\t00:00:01:00\tComment\n")
    data = codecs.BOM_UTF16_LE + premiere.encode("utf-16-le")
    assert detect(Path("m.txt"), data) == "premiere"
    (m,) = parse_markers(data, R24, "premiere").markers
    assert (m.frame, m.name, m.note, m.length) == (tc("01:00:02:00"), "Kiss", "swell", 24)
    pt = ("SESSION NAME:\tReel 1\nSAMPLE RATE:\t48000.000000\nBIT DEPTH:\t24-bit\n"
          "SESSION START TIMECODE:\t01:00:00:00\nTIMECODE FORMAT:\t24 Frame\n\n"
          "M A R K E R S  L I S T I N G\n"
          "#   \tLOCATION     \tTIME REFERENCE    \tUNITS    \tNAME            \tCOMMENTS\n"
          "1   \t01:00:01:00  \t48000             \tSamples  \tHit one         \t\n"
          "2   \t01:00:01:12  \t72000             \tSamples  \tHit two         \tbig\n")
    assert detect(Path("s.txt"), pt.encode()) == "protools"
    mf = parse_markers(pt.encode(), R24, "protools")
    assert [(m.frame, m.name, m.note) for m in mf.markers] == [
        (tc("01:00:01:00"), "Hit one", ""), (tc("01:00:01:12"), "Hit two", "big")]
    csv = "When,What,Colour\n01:00:04:00,Gun,red\n"
    mf = parse_markers(csv.encode(), R24, "csv", {"tc": "When", "name": "What"})
    assert [(m.frame, m.name, m.color) for m in mf.markers] == [(tc("01:00:04:00"), "Gun", "red")]


def test_otio_round_trip_keeps_frames_colours_names_notes_and_lengths() -> None:
    marks = [RawMarker(tc("01:00:01:00"), "Door", "red", "slam", 0),
             RawMarker(tc("01:00:03:00"), "1M1", "magenta", "strings", 48)]
    text = write_otio("Film", R24, tc("01:00:00:00"), marks)
    mf = parse_markers(text.encode(), R24, "otio")
    assert [(m.frame, m.name, m.color, m.note, m.length) for m in mf.markers] == [
        (m.frame, m.name, m.color, m.note, m.length) for m in marks]


def test_other_rates_land_exactly_or_the_file_is_refused() -> None:
    settings24 = Settings(rate=R24, start_frame=tc("01:00:00:00"))
    r48 = STANDARD_RATES["48"]
    on_frame = write_edl("x", r48, [RawMarker(tc("01:00:01:00", r48) + 2)])
    spotted = to_project(parse_markers(on_frame.encode(), r48, "edl"), settings24)
    assert [s.frame for s in spotted] == [25]
    off_frame = write_edl("x", r48, [RawMarker(tc("01:00:01:00", r48) + 1)])
    with pytest.raises(MarkerFormatError, match="falls between two frames"):
        to_project(parse_markers(off_frame.encode(), r48, "edl"), settings24)
    # the same fps counted drop-frame: the project's 01:00:00:00 is the file's 01:00:00;00
    settings_ndf = Settings(rate=STANDARD_RATES["29.97"], start_frame=108000)
    spotted = to_project(parse_markers(_otio_edl([107892 + 1800], DF).encode(), DF, "edl"),
                         settings_ndf)
    assert [s.frame for s in spotted] == [1800]


NDF = STANDARD_RATES["29.97"]


def test_drop_and_non_drop_counts_are_never_mixed() -> None:
    ndf_project = Settings(rate=NDF, start_frame=tc("01:00:00:00", NDF))
    df_project = Settings(rate=DF, start_frame=tc("01:00:00;00", DF))
    ten_minutes_df = tc("01:10:00;00", DF) - tc("01:00:00;00", DF)  # 17982
    # an Avid file in ';' labels read at the project's non-drop rate counts drop-frame
    avid = b"A\t01:00:00;00\tV1\tred\tstart\t1\nA\t01:10:00;00\tV1\tred\tten\t1\n"
    mf = parse_markers(avid, NDF, "avid")
    assert mf.rate == DF
    assert [s.frame for s in to_project(mf, ndf_project)] == [0, ten_minutes_df]
    # a Pro Tools session counting drop-frame from 01:00:00;00, into a non-drop project
    pro_tools = ("SESSION NAME:\tx\nSAMPLE RATE:\t48000\nTIMECODE FORMAT:\t29.97 Drop Frame\n"
                 "SESSION START TIMECODE:\t01:00:00;00\n\nM A R K E R S  L I S T I N G\n"
                 "#\tLOCATION\tTIME REFERENCE\tUNITS\tNAME\tCOMMENTS\n"
                 "1\t01:00:00;00\t0\tSamples\tHit\t\n")
    assert [s.frame for s in to_project(parse_markers(pro_tools.encode(), NDF, "protools"),
                                        ndf_project)] == [0]
    # a drop-frame project and a file the user says is non-drop 29.97
    plain = b"A\t01:00:00:00\tV1\tred\tstart\t1\n"
    assert [s.frame for s in to_project(parse_markers(plain, NDF, "avid"), df_project)] == [0]
    # an EDL's FCM line says the counting: ':' and ';' labels then name the same frames
    edl = ("TITLE: x\nFCM: DROP FRAME\n\n"
           "001  AX       V     C        01:10:00{s}00 01:10:00{s}01 01:10:00{s}00 01:10:00{s}01\n"
           "* LOC: 01:10:00{s}00 RED     ten\n")
    colon, semi = (parse_markers(edl.format(s=s).encode(), NDF, "edl") for s in ":;")
    assert colon.rate == semi.rate == DF
    assert [m.frame for m in colon.markers] == [m.frame for m in semi.markers] == [
        tc("01:10:00;00", DF)]
    assert [s.frame for s in to_project(colon, ndf_project)] == [ten_minutes_df]
    with pytest.raises(MarkerFormatError, match="counts one way"):
        parse_markers(b"A\t01:00:00:00\tV1\tred\ta\t1\nA\t01:10:00;00\tV1\tred\tb\t1\n",
                      NDF, "avid")
    with pytest.raises(MarkerFormatError, match="DROP FRAME but its rate is 24"):
        parse_markers(edl.format(s=":").encode(), R24, "edl")


@pytest.mark.parametrize("fmt,text,line,words", [
    ("edl", CMX.replace("* LOC: 01:00:02:00 CYAN", "* LOC: 01:00:02 CYAN"), 7, "expected * LOC"),
    ("edl", CMX.replace("01:00:02:00 CYAN", "01:00:02:30 CYAN"), 7, "frames go from 00 to 23"),
    ("avid", "A\t01:00:01:00\tV1\tred\tok\n\nB\t01:00:01\tV1\n", 3, "expected user"),
    ("csv", "TC,Name\n01:00:00:00,a\nnonsense,b\n", 3, "expected a timecode"),
    ("protools", "SESSION NAME:\tx\nSAMPLE RATE:\t48000\nTIMECODE FORMAT:\t24 Frame\n"
                 "M A R K E R S  L I S T I N G\n#\tLOCATION\tTIME REFERENCE\tUNITS\tNAME\n"
                 "1\t01:00:00:00\t-5\tSamples\tx\n", 6, "time reference in samples"),
])
def test_a_malformed_file_names_its_line_and_what_was_expected(fmt: str, text: str, line: int,
                                                              words: str) -> None:
    with pytest.raises(MarkerFormatError) as e:
        parse_markers(text.encode(), R24, fmt)
    assert e.value.line == line and words in str(e.value)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(READ_FORMATS), st.binary(max_size=400) | st.text(max_size=400).map(
    lambda t: (CMX + t).encode()))
def test_readers_fuzzed_raise_only_marker_format_errors(fmt: str, data: bytes) -> None:
    try:
        mf = parse_markers(data, R24, fmt)
    except MarkerFormatError:
        return
    for m in mf.markers:
        assert isinstance(m.frame, int)


def test_a_project_exports_in_every_format_and_reads_back() -> None:
    from cuesketch.model.document import Document
    from cuesketch.model.entities import HitKind
    from cuesketch.model.spotting_edits import SpottingEditor
    doc = Document(Project(Settings(rate=DF, start_frame=107892)))
    ed = SpottingEditor(doc)
    ed.add_hit(1798, HitKind.HARD, "Gun")
    ed.add_hit(1800, HitKind.CUT, "Cut to sea")
    ed.add_cue(100, 900, title="Arrival")
    for fmt in ("edl", "avid", "csv", "otio"):
        text = export_markers(doc.project, fmt)
        mf = parse_markers(text.encode(), DF, fmt)
        back = to_project(mf, doc.project.settings)
        assert sorted(s.frame for s in back) == [100, 1798, 1800], fmt


def _samples() -> dict[str, bytes]:
    from cuesketch.formats.markers_text import write_avid, write_csv
    marks = [RawMarker(tc("01:00:01:00"), "Door", "red", "slam", 0),
             RawMarker(tc("01:00:03:00"), "1M1", "magenta", "", 48)]
    premiere = ("Marker Name\tDescription\tIn\tOut\tDuration\tMarker Type\n"
                "Kiss\tswell\t01:00:02:00\t01:00:03:00\t00:00:01:00\tComment\n")
    pro_tools = ("SESSION NAME:\tx\nSAMPLE RATE:\t48000\nTIMECODE FORMAT:\t24 Frame\n"
                 "SESSION START TIMECODE:\t01:00:00:00\n\nM A R K E R S  L I S T I N G\n"
                 "#\tLOCATION\tTIME REFERENCE\tUNITS\tNAME\tCOMMENTS\n"
                 "1\t01:00:01:00\t48000\tSamples\tHit\t\n")
    return {"edl": write_edl("x", R24, marks).encode(),
            "avid": write_avid(marks, R24).encode(),
            "csv": write_csv(marks, R24).encode(),
            "otio": write_otio("x", R24, tc("01:00:00:00"), marks).encode(),
            "premiere": codecs.BOM_UTF16_LE + premiere.encode("utf-16-le"),
            "protools": pro_tools.encode()}


SAMPLES = _samples()


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(SAMPLES)), st.lists(st.tuples(
    st.sampled_from(["delete", "insert", "duplicate", "truncate"]), st.integers(0, 10**6),
    st.binary(min_size=1, max_size=4)), min_size=1, max_size=4))
def test_mutated_files_of_every_format_fail_only_in_words(fmt: str, mutations) -> None:  # type: ignore[no-untyped-def]
    data = bytearray(SAMPLES[fmt])
    for kind, at, junk in mutations:
        i = at % (len(data) + 1)
        if kind == "delete":
            del data[i:i + len(junk)]
        elif kind == "insert":
            data[i:i] = junk
        elif kind == "duplicate":
            data[i:i] = data[i:i + 40]
        else:
            del data[i:]
    try:
        mf = parse_markers(bytes(data), R24, fmt)
    except MarkerFormatError as e:
        assert str(e)
        return
    assert all(isinstance(m.frame, int) and m.length >= 0 for m in mf.markers)


def test_a_file_starting_elsewhere_keeps_its_timecodes_or_is_laid_from_the_start_on_request(
        ) -> None:
    settings24 = Settings(rate=R24, start_frame=tc("01:00:00:00"))
    zero = write_otio("cut", R24, 0, [RawMarker(120, "m")])  # a timeline at 00:00:00:00
    mf = parse_markers(zero.encode(), R24, "otio")
    with pytest.raises(MarkerFormatError, match="before the project start 01:00:00:00"):
        to_project(mf, settings24)
    assert [s.frame for s in to_project(mf, settings24, "00:00:00:00")] == [120]
    later = write_otio("cut", R24, tc("00:59:50:00"), [RawMarker(tc("01:00:05:00"), "m")])
    assert [s.frame for s in to_project(parse_markers(later.encode(), R24, "otio"),
                                        settings24)] == [120]  # its timecode, not its offset


def test_a_file_timed_from_zero_is_refused_even_when_it_does_not_say_its_start() -> None:
    settings24 = Settings(rate=R24, start_frame=tc("01:00:00:00"))
    avid = b"A\t00:00:05:00\tV1\tred\tdoor\t1\nA\t00:01:00:00\tV1\tred\tkiss\t1\n"
    mf = parse_markers(avid, R24, "avid")
    assert mf.start is None
    with pytest.raises(MarkerFormatError, match="before the project start 01:00:00:00.*"
                                                "file's start timecode"):
        to_project(mf, settings24)
    assert [s.frame for s in to_project(mf, settings24, "00:00:00:00")] == [120, 1440]


@pytest.mark.parametrize("fmt,data,line", [
    ("avid", b"A\t01:00:01:00\tV1\tred\tok\n" + b"B\t" * 30000 + b"\n", 2),
    ("protools", b"SESSION NAME:\tx\nSAMPLE RATE:" + b" " * 5000 + b"x\n", 2),
    ("edl", b"TITLE: x\n001  AX V C 01:00:00:00 01:00:09:00 01:00:00:00 01:00:09:00\n"
            b"|C:x |M:" + b" " * 5000 + b"y\n", 3),
    ("csv", b"Timecode," + b"x" * 70000 + b"\n01:00:00:00\n", 1),
    ("csv", b"Timecode,Name\n01:00:00:00,a\n01:00:01:00," + b"y" * 5000 + b"\n", 3),
])
def test_a_line_too_long_for_a_marker_list_refuses_the_file_by_its_number(
        fmt: str, data: bytes, line: int) -> None:
    with pytest.raises(MarkerFormatError, match="longer than 4096 characters") as e:
        parse_markers(data, R24, fmt)
    assert e.value.line == line


def test_crafted_lines_within_the_limit_read_without_backtracking() -> None:
    from cuesketch.formats.markers_text import csv_header
    head = ("SESSION NAME:\tx\nSAMPLE RATE:\t48000" + " " * 4000 + "\nTIMECODE FORMAT:\t24 Frame\n"
            "M A R K E R S  L I S T I N G\n#\tLOCATION\tTIME REFERENCE\tUNITS\tNAME\n"
            "1\t01:00:00:00\t48000\tSamples\tx\n")
    assert [m.frame for m in parse_markers(head.encode(), R24, "protools").markers] == [24]
    resolve = ("TITLE: x\n001  AX V C 01:00:00:00 01:00:00:01 01:00:00:00 01:00:00:01\n"
               "|C:ResolveColorRed |M:" + " a" * 900 + " " * 2000 + "|D:12\n")
    (m,) = parse_markers(resolve.encode(), R24, "edl").markers
    assert (m.color, m.length, m.name.split()[:2]) == ("red", 12, ["a", "a"])
    dialect, header = csv_header(b"Timecode;Name;Note\n01:00:00:00;a;b\n")
    assert header == ["Timecode", "Name", "Note"] and dialect.delimiter == ";"


def _otio_with(field: str, value: str) -> bytes:
    text = write_otio("x", R24, tc("01:00:00:00"), [RawMarker(tc("01:00:01:00"), "m", length=2)])
    marker_at = text.index('"marked_range"')
    head, tail = text[:marker_at], text[marker_at:]
    if field == "start":
        return text.replace('"value": 86400.0', f'"value": {value}', 1).encode()
    if field == "marker":
        return (head + tail.replace('"value": 24.0', f'"value": {value}', 1)).encode()
    return (head + tail.replace('"rate": 24.0', f'"rate": {value}')).encode()  # the rates


@pytest.mark.parametrize("fmt,data", [
    ("avid", "A\t01:00:00:00\tV1\tred\tx\t\u00b2\n".encode()),
    ("csv", "Timecode,Duration\n01:00:00:00,\u00b9\u00b2\n".encode()),
    ("protools", "SESSION NAME:\tx\nSAMPLE RATE:\t48000\nTIMECODE FORMAT:\t24 Frame\n"
                 "M A R K E R S  L I S T I N G\n#\tLOCATION\tTIME REFERENCE\tUNITS\tNAME\n"
                 "1\t01:00:00:00\t\u00b2\tSamples\tx\n".encode()),
    ("otio", _otio_with("start", "Infinity")),
    ("otio", _otio_with("start", "NaN")),
    ("otio", _otio_with("marker", "-Infinity")),
    ("otio", _otio_with("marker", "NaN")),
    ("otio", _otio_with("rate", "Infinity")),
    ("otio", _otio_with("rate", "NaN")),
])
def test_numbers_no_reader_foresaw_fail_in_words(fmt: str, data: bytes) -> None:
    with pytest.raises(MarkerFormatError) as e:
        parse_markers(data, R24, fmt)
    assert len(str(e.value)) < 400


def test_a_start_timecode_of_thousands_of_digits_fails_in_words() -> None:
    mf = parse_markers(b"A\t01:00:00:00\tV1\tred\tx\t1\n", R24, "avid")
    with pytest.raises(MarkerFormatError, match="is not a timecode") as e:
        to_project(mf, Settings(rate=R24), "1" * 5000 + ":00:00:00")
    assert len(str(e.value)) < 400


def test_an_edl_keeps_cue_and_no_music_lengths_and_points_stay_points() -> None:
    marks = [RawMarker(tc("01:00:01:00"), "Door", "red", "", 0),
             RawMarker(tc("01:00:03:00"), "1M1", "magenta", "", 48),
             RawMarker(tc("01:00:10:00"), "quiet", "black", "", 2)]
    edl = write_edl("x", R24, marks)
    assert "01:00:03:00 01:00:05:00 01:00:03:00 01:00:05:00" in edl
    mf = parse_markers(edl.encode(), R24, "edl")
    assert [(m.frame, m.length) for m in mf.markers] == [(m.frame, m.length) for m in marks]
    # an editor's clip with locators inside it: its LOCs stay points
    assert {m.length for m in parse_markers(CMX.encode(), R24, "edl").markers} == {0}


def test_an_editors_clip_with_one_loc_on_its_first_frame_lends_it_no_length() -> None:
    cut = "\r\n".join([
        "TITLE: REEL 1 CUT", "FCM: NON-DROP FRAME", "",
        "001  A001C003 V     C        10:12:01:00 10:12:05:00 01:00:00:00 01:00:04:00",
        "* FROM CLIP NAME: A001C003.MOV", "",
        "002  A002C011 V     C        11:02:10:00 11:02:16:00 01:00:04:00 01:00:10:00",
        "* FROM CLIP NAME: A002C011.MOV",
        "* LOC: 01:00:04:00 RED     door slam", "",
        "003  A003C001 V     C        12:00:00:00 12:00:03:00 01:00:10:00 01:00:13:00",
        "* LOC: 01:00:11:12 BLUE    look", ""]) + "\r\n"
    marks = parse_markers(cut.encode(), R24, "edl").markers
    assert [(m.frame, m.length) for m in marks] == [(tc("01:00:04:00"), 0),
                                                      (tc("01:00:11:12"), 0)]
    heads = cut.replace("* LOC: 01:00:11:12 BLUE", "* LOC: 01:00:10:00 BLUE")  # both on a head
    marks = parse_markers(heads.encode(), R24, "edl").markers
    assert [(m.frame, m.length) for m in marks] == [(tc("01:00:04:00"), 0),
                                                      (tc("01:00:10:00"), 0)]


def test_one_odd_event_in_a_marker_list_leaves_the_others_their_lengths() -> None:
    marks = [RawMarker(tc("01:00:03:00"), "1M1", "magenta", "", 48),
             RawMarker(tc("01:00:10:00"), "quiet", "black", "", 24)]
    edl = write_edl("x", R24, marks)
    edl += ("003  AX       V     C        01:00:20:00 01:00:22:00 01:00:20:00 01:00:22:00\r\n"
            "* LOC: 01:00:20:12 RED     a\r\n* LOC: 01:00:21:00 RED     b\r\n")
    read = parse_markers(edl.encode(), R24, "edl").markers
    assert [(m.frame, m.length) for m in read] == [
        (tc("01:00:03:00"), 48), (tc("01:00:10:00"), 24), (tc("01:00:20:12"), 0),
        (tc("01:00:21:00"), 0)]


def test_messages_name_what_they_are_about_and_csv_lines_are_lines() -> None:
    r24 = R24
    mf = parse_markers(b"TC,Name\n01:00:00:00,a\n", r24, "csv")
    with pytest.raises(MarkerFormatError) as e:
        to_project(mf, Settings(rate=r24, start_frame=86400), "01:00")
    assert not str(e.value).startswith("line") and "the file's start timecode" in str(e.value)
    otio = write_otio("x", r24, 86400, [RawMarker(86400, "ok"), RawMarker(86424, "n" * 3000)])
    with pytest.raises(MarkerFormatError, match="^the name of marker 2 is longer"):
        parse_markers(otio.encode(), r24, "otio")
    multi = b'TC,Name,Note\n01:00:00:00,a,"two\nlines"\n01:00:01:00,b,"and\nmore\nlines"\nbad,c,\n'
    with pytest.raises(MarkerFormatError) as e:
        parse_markers(multi, r24, "csv")
    assert e.value.line == 7
