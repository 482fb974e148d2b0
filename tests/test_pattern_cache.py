"""Compiled patterns kept on disk (factcheck.pattern_cache): the pattern loaded is the
pattern compiled, a damaged or foreign file is compiled again and never run, and a
cache that cannot be written or is turned off costs only the compile."""
import os
import pickle

import pytest
import regex

import factcheck.extract as extract
import factcheck.pattern_cache as pattern_cache
from factcheck.pattern_cache import SUFFIX, compile_cached

SOURCE = r"(?P<n>\d+)(?P<unit>\L<units>)?"
UNITS = ["万元", "元", "亿元"]
ANOTHER = regex.compile(r"\d+元")


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv(pattern_cache.CACHE_ENV, str(folder))
    return folder


@pytest.fixture
def compiles(monkeypatch):
    """The sources regex.compile is asked to compile from here on."""
    asked = []
    real = regex.compile

    def spy(pattern, *args, **kwargs):
        asked.append(pattern)
        return real(pattern, *args, **kwargs)

    monkeypatch.setattr(pattern_cache.regex, "compile", spy)
    return asked


def entries(folder):
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_pattern_compiled_once_is_loaded_the_next_time(cache, compiles):
    first = compile_cached(SOURCE, regex.V1, units=UNITS)
    assert compiles == [SOURCE]
    assert [name.endswith(SUFFIX) for name in entries(cache)] == [True]
    second = compile_cached(SOURCE, regex.V1, units=UNITS)
    assert compiles == [SOURCE]            # loaded, not compiled
    assert second is not first
    assert second._pickled_data == first._pickled_data
    assert second.match("12万元").groupdict() == {"n": "12", "unit": "万元"}


def test_the_named_lists_and_flags_are_part_of_the_key(cache):
    with_yuan = compile_cached(SOURCE, regex.V1, units=UNITS)
    with_ren = compile_cached(SOURCE, regex.V1, units=["人", "万人"])
    reversed_ = compile_cached(SOURCE, regex.V1 | regex.REVERSE, units=UNITS)
    assert len(entries(cache)) == 3
    assert with_yuan.match("12万人").group("unit") is None
    assert with_ren.match("12万人").group("unit") == "万人"
    assert reversed_.flags & regex.REVERSE and not with_yuan.flags & regex.REVERSE


@pytest.mark.parametrize("damage", [
    lambda path: path.write_bytes(path.read_bytes()[:40]),                   # truncated
    lambda path: path.write_bytes(b"not a pickle at all"),
    lambda path: path.write_bytes(pickle.dumps(ANOTHER)),                   # another pattern
    lambda path: path.write_bytes(pickle.dumps({"pattern": SOURCE})),
])
def test_a_damaged_entry_is_compiled_again_and_replaced(cache, compiles, damage):
    expected = compile_cached(SOURCE, regex.V1, units=UNITS)
    [name] = entries(cache)
    damage(cache / name)
    again = compile_cached(SOURCE, regex.V1, units=UNITS)
    assert compiles == [SOURCE, SOURCE]
    assert again._pickled_data == expected._pickled_data
    assert entries(cache) == [name]        # replaced whole, no temporary file left
    compile_cached(SOURCE, regex.V1, units=UNITS)
    assert compiles == [SOURCE, SOURCE]    # and loaded from then on


class _RunsCode:
    """A pickle whose loading would call a function of its choice."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (exec, (f"open({str(self.marker)!r}, 'w').close()",))


def test_a_planted_file_is_never_run(cache, compiles, tmp_path):
    compile_cached(SOURCE, regex.V1, units=UNITS)
    [name] = entries(cache)
    marker = tmp_path / "ran"
    (cache / name).write_bytes(pickle.dumps(_RunsCode(marker)))
    assert pickle.loads((cache / name).read_bytes()) is None and marker.exists()   # it would run
    marker.unlink()
    compiled = compile_cached(SOURCE, regex.V1, units=UNITS)
    assert not marker.exists()
    assert compiled.match("3亿元").group("unit") == "亿元"
    assert compiles == [SOURCE, SOURCE]


def test_a_folder_that_cannot_be_written_costs_only_the_compile(tmp_path, monkeypatch, compiles):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv(pattern_cache.CACHE_ENV, str(blocker / "cache"))   # under a file: mkdir fails
    for _ in range(2):
        assert compile_cached(SOURCE, regex.V1, units=UNITS).match("5元").group("unit") == "元"
    assert compiles == [SOURCE, SOURCE]


def test_an_empty_setting_turns_the_cache_off(tmp_path, monkeypatch, compiles):
    monkeypatch.setenv(pattern_cache.CACHE_ENV, "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for _ in range(2):
        compile_cached(SOURCE, regex.V1, units=UNITS)
    assert compiles == [SOURCE, SOURCE]
    assert not (tmp_path / "xdg").exists() and not (tmp_path / "home").exists()


def test_the_default_folder_follows_xdg_then_home(tmp_path, monkeypatch):
    monkeypatch.delenv(pattern_cache.CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert pattern_cache.cache_dir() == tmp_path / "xdg" / "factcheck"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert pattern_cache.cache_dir() == tmp_path / "home" / ".cache" / "factcheck"


def test_the_grammar_loaded_from_the_cache_is_the_grammar_compiled(cache, monkeypatch):
    def patterns(g):
        return [*g.scans, g.lead, *(s.common for s in g.splits.values()), *(s.rare for s in g.splits.values()),
                *(a.pattern for a in g.anchors.values())]

    extract.grammar.cache_clear()
    try:
        compiled = extract.grammar()
        assert len([name for name in entries(cache) if name.endswith(SUFFIX)]) == len(patterns(compiled))

        def no_compiling(*args, **kwargs):
            raise AssertionError("compiled, not loaded")

        monkeypatch.setattr(pattern_cache.regex, "compile", no_compiling)
        extract.grammar.cache_clear()
        loaded = extract.grammar()
        assert [p._pickled_data for p in patterns(loaded)] == [p._pickled_data for p in patterns(compiled)]
    finally:
        monkeypatch.undo()
        extract.grammar.cache_clear()   # the other tests' grammar compiled as usual


def test_files_are_private_to_their_user(cache):
    compile_cached(SOURCE, regex.V1, units=UNITS)
    [name] = entries(cache)
    assert os.stat(cache / name).st_mode & 0o077 == 0


def test_a_pattern_that_cannot_be_stored_is_still_returned(cache, monkeypatch):
    def refuse(*args, **kwargs):
        raise pickle.PicklingError("no")

    monkeypatch.setattr(pattern_cache.pickle, "dump", refuse)
    assert compile_cached(SOURCE, regex.V1, units=UNITS).match("7元").group("unit") == "元"
    assert entries(cache) == []            # and no temporary file is left


# ---- sets of characters (cached_characters) ------------------------------------------

def _finder(calls, value=("0123456789٠١", " \t\u3000")):
    def find():
        calls.append(1)
        return list(value)
    return find


def test_characters_found_once_are_loaded_the_next_time(cache):
    calls = []
    first = pattern_cache.cached_characters("digits", 2, _finder(calls))
    second = pattern_cache.cached_characters("digits", 2, _finder(calls))
    assert calls == [1]
    assert first == second == ["0123456789٠١", " \t\u3000"]
    [name] = entries(cache)
    assert name.endswith(pattern_cache.CHARACTERS_SUFFIX)
    assert os.stat(cache / name).st_mode & 0o077 == 0
    # another name is another file
    pattern_cache.cached_characters("spaces", 2, _finder(calls))
    assert calls == [1, 1] and len(entries(cache)) == 2


@pytest.mark.parametrize("content", [b"", b"[\"abc\"", b"{\"a\": 1}", b"[\"one string\"]", b"[1, 2]",
                                     b"\xff\xfe not json", b"[\"a\", \"b\", \"c\"]"])
def test_a_damaged_characters_file_is_found_again_and_replaced(cache, content):
    calls = []
    pattern_cache.cached_characters("digits", 2, _finder(calls))
    [name] = entries(cache)
    (cache / name).write_bytes(content)
    assert pattern_cache.cached_characters("digits", 2, _finder(calls)) == ["0123456789٠١", " \t\u3000"]
    assert calls == [1, 1]
    assert pattern_cache.cached_characters("digits", 2, _finder(calls)) == ["0123456789٠١", " \t\u3000"]
    assert calls == [1, 1]    # the file was replaced


def test_characters_with_the_cache_off_or_unwritable(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setenv(pattern_cache.CACHE_ENV, "")
    assert pattern_cache.cached_characters("digits", 2, _finder(calls)) == ["0123456789٠١", " \t\u3000"]
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(pattern_cache.CACHE_ENV, str(blocker / "cache"))
    assert pattern_cache.cached_characters("digits", 2, _finder(calls)) == ["0123456789٠١", " \t\u3000"]
    assert calls == [1, 1]


def test_the_digits_and_spaces_loaded_are_those_found(cache):
    """extract's every-\\d and every-\\s sets: the same from the cache as found."""
    extract._digits_and_spaces.cache_clear()
    try:
        found = extract._digits_and_spaces()
        assert entries(cache)
        extract._digits_and_spaces.cache_clear()
        loaded = extract._digits_and_spaces()
        assert loaded == found
        digits, spaces = loaded
        assert {"7", "٣", "７", "𝟗"} <= digits and "a" not in digits and "一" not in digits
        assert {" ", "\t", "\u3000", "\n"} <= spaces and "x" not in spaces
    finally:
        extract._digits_and_spaces.cache_clear()


def test_a_warm_start_compiles_no_pattern(tmp_path):
    """Every pattern a run needs (the grammar's, linking's, the rules' exclusions) comes
    from the cache once it is filled: each compiled at every start cost a millisecond or
    more, 40 ms in all before they went through it."""
    import subprocess
    import sys

    document = tmp_path / "doc.txt"
    document.write_text("2010年全省生产总值14151.3亿元，比上年增长14.5%。其中出口三千二百万美元。", encoding="utf-8")
    script = (
        "import sys, regex\n"
        "asked = []\n"
        "real = regex.compile\n"
        "regex.compile = lambda pattern, *a, **k: asked.append(pattern) or real(pattern, *a, **k)\n"
        "from factcheck.cli import main\n"
        f"main(['check', '--format', 'json', '-o', {str(tmp_path / 'out.json')!r}, '--force', {str(document)!r}])\n"
        "print(len(asked))\n")
    env = {**os.environ, pattern_cache.CACHE_ENV: str(tmp_path / "cache")}
    counts = [subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
              .stdout.split()[-1] for _ in range(2)]
    assert int(counts[0]) > 0 and counts[1] == "0"
