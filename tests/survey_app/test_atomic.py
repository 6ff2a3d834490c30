"""Files are written whole or not at all, and two writers of one file never mix."""
import pytest

from survey_app.errors import UserError
from survey_app.io.atomic import atomic_file


def test_two_writers_of_one_path_each_write_a_whole_file(tmp_path):
    path = tmp_path / "out.csv"
    with atomic_file(path) as first, atomic_file(path) as second:
        first.write("first\n" * 1000)
        second.write("second\n")
    assert path.read_text() == "first\n" * 1000       # the last to finish wins, whole
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "out.csv"
    path.write_text("old")
    with pytest.raises(RuntimeError), atomic_file(path) as stream:
        stream.write("half")
        raise RuntimeError("disk full")
    assert path.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_a_missing_folder_is_named_in_chinese(tmp_path):
    with pytest.raises(UserError, match="输出目录 .*nowhere 不存在"):
        with atomic_file(tmp_path / "nowhere" / "out.csv"):
            pass
