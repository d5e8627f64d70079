import pytest

from cuesketch.cli import main


def tc(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["tc", *argv])
    out, err = capsys.readouterr()
    return code, out.strip(), err.strip()


@pytest.mark.parametrize(("argv", "expected"), [
    (["01:00:10;00", "--rate", "29.97df", "--to", "frames"], "108192"),
    (["86400", "--rate", "24", "--to", "timecode"], "01:00:00:00"),
    (["107892", "--rate", "29.97df", "--to", "timecode"], "01:00:00;00"),
    (["215784", "--rate", "59.94df", "--to", "timecode"], "01:00:00;00"),
    (["01:00:00;00", "--rate", "59.94df", "--to", "frames"], "215784"),
    (["01:00:10;00", "--rate", "29.97df", "--start", "01:00:00;00", "--to", "frames"], "300"),
    (["300", "--rate", "29.97df", "--start", "01:00:00;00", "--to", "timecode"], "01:00:10;00"),
    (["-48", "--start", "01:00:00:00", "--to", "timecode"], "00:59:58:00"),
    (["-48", "--to", "timecode"], "23:59:58:00"),
    (["5+08", "--to", "frames"], "88"),
    (["88", "--to", "feet"], "5+08"),
    (["208", "--to", "feet", "--gauge", "16mm"], "5+08"),
    (["12.5s", "--to", "frames"], "300"),
    (["--to", "frames", "--", "-2.5s"], "-60"),
    (["12.5s", "--rate", "29.97", "--to", "frames"], "374"),
    (["300", "--to", "seconds"], "12.5s"),
    (["1", "--rate", "29.97", "--to", "seconds"], "0.033367s"),
    (["24", "--to", "samples"], "48000"),
    (["24", "--to", "samples", "--sample-rate", "44100"], "44100"),
    (["48000", "--from", "samples", "--to", "frames"], "24"),
    (["96000smp", "--to", "frames"], "48"),
    (["48", "--tempo", "120", "--to", "bars"], "2|1|000"),
    (["2|1|000", "--tempo", "120", "--to", "frames"], "48"),
    (["3|2|240", "--tempo", "120", "--meter", "6/8", "--to", "frames"], "81"),
    (["24", "--tempo", "12-0", "--to", "bars"], "1|3|000"),
    (["01:00:00:00.50", "--rate", "25", "--subframes", "100", "--to", "timecode"],
     "01:00:00:00.50"),
    (["01:00:00:00.40", "--rate", "25", "--subframes", "80", "--to", "seconds"], "3600.02s"),
])
def test_conversions(capsys: pytest.CaptureFixture[str], argv: list[str], expected: str) -> None:
    code, out, err = tc(capsys, *argv)
    assert (code, out, err) == (0, expected, "")


def test_all_forms(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = tc(capsys, "01:00:10;00", "--rate", "29.97df", "--start", "01:00:00;00",
                      "--tempo", "120")
    assert code == 0
    assert out.splitlines() == [
        "timecode  01:00:10;00",
        "frames    300",
        "seconds   10.01s",
        "feet      18+12",
        "samples   480480",
        "bars      6|1|019",
    ]
    code, out, _ = tc(capsys, "100")
    assert "bars" not in out and "timecode  00:00:04:04" in out


@pytest.mark.parametrize("rate", ["23.976", "24", "25", "29.97df", "29.97", "30", "47.952", "48",
                                  "50", "59.94df", "59.94", "60"])
def test_every_form_reads_back(capsys: pytest.CaptureFixture[str], rate: str) -> None:
    code, out, _ = tc(capsys, "1234567", "--rate", rate, "--start", "01:00:00:00",
                      "--tempo", "97.5", "--meter", "7/8")
    assert code == 0
    forms = dict(line.split() for line in out.splitlines())
    for kind, text in forms.items():
        extra = ["--from", "samples"] if kind == "samples" else []
        code, back, _ = tc(capsys, text, "--rate", rate, "--start", "01:00:00:00",
                           "--tempo", "97.5", "--meter", "7/8", "--to", "frames", *extra)
        assert (code, back) == (0, "1234567"), kind


@pytest.mark.parametrize(("argv", "words"), [
    (["25:00:00:00"], "hours go from 00 to 23"),
    (["00:01:00;00", "--rate", "29.97df"], "does not exist"),
    (["2073600", "--to", "timecode"], "past 24 hours"),
    (["1", "--start", "23:59:59:23", "--to", "timecode"], "past 24 hours"),
    (["01:00:10;00"], "give its rate"),
    (["01:00:10;00", "--rate", "29.97"], "29.97df"),
    (["3|2|480"], "need a tempo"),
    (["100", "--to", "bars"], "need a tempo"),
    (["3|5|0", "--tempo", "120"], "beats 1 to 4"),
    (["abc"], "is not a timecode"),
    (["1", "--rate", "31"], "not a standard"),
    (["1", "--tempo", "fast", "--to", "bars"], "not a tempo"),
    (["1", "--tempo", "0", "--to", "bars"], "above 0"),
    (["1", "--tempo", "120", "--meter", "4-4", "--to", "bars"], "not a meter"),
    (["1", "--tempo", "120", "--meter", "4/3", "--to", "bars"], "not a meter"),
    (["5+16"], "16 frames"),
    (["1", "--start", "1 o'clock"], "not a timecode"),
    (["12x", "--from", "seconds"], "not a number of seconds"),
])
def test_bad_input_is_a_plain_error(capsys: pytest.CaptureFixture[str], argv: list[str],
                                    words: str) -> None:
    code, out, err = tc(capsys, *argv)
    assert code == 1 and out == ""
    assert err.startswith("cuesketch: ") and words in err
    assert "Traceback" not in err


@pytest.mark.parametrize("argv", [[], ["1", "--to", "miles"], ["1", "--subframes", "7"]])
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main(["tc", *argv])
    assert e.value.code == 2
