"""PNG sizes from the header: the chart as rendered, and data that is not a PNG."""
import pytest

from reports import charts
from reports.images import png_size


def test_the_size_of_a_rendered_chart_is_read_from_its_header():
    fig = charts.ranking(["甲", "乙"], [70.0, 80.0], [65.0, 75.0], [75.0, 85.0], 75.0)
    data = charts.render(fig, "png", dpi=100)
    width, height = png_size(data)
    assert (width, height) == (round(fig.get_figwidth() * 100), round(fig.get_figheight() * 100))
    assert png_size(data[:24]) == (width, height)


@pytest.mark.parametrize("data", [b"", b"GIF89a" + b"\0" * 30, b"\x89PNG\r\n\x1a\n" + b"\0" * 8])
def test_anything_else_is_refused(data):
    with pytest.raises(ValueError):
        png_size(data)
