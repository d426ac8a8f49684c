"""The stats panel draws every part to one width, whether or not its scrollbar shows (a
sparkline drawn before the scrollbar appeared was one column wider than the parts drawn
after it: a snapshot test failed about one run in five)."""

from rich.text import Text

from tests.conftest import REPO
from tests.tui_helpers import make_app, settle


async def test_parts_share_one_width_when_the_scrollbar_appears():
    app = make_app(REPO / "sample_runs" / "expert_load.h5")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        panel = app.query_one("StatsPanel")
        panel.update_slice(Text(""))  # short: no scrollbar
        await pilot.pause()
        panel.show_spark("MaxVio by layer", [1.0, 3.0, 2.0, 5.0])  # drawn without a scrollbar
        await pilot.pause()
        panel.update_slice(Text("\n".join(f"line {i}" for i in range(60))))  # taller than the panel
        await pilot.pause()
        panel.update_cursor(Text("cursor"))
        await pilot.pause()
        widths = {strip.cell_length for strip in panel._strips}
        assert widths == {panel.scrollable_content_region.width}
        assert panel.virtual_size.height > panel.size.height  # the scrollbar is there
