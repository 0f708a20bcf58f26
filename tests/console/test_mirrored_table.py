"""`MirroredTable.show_rows`: a list read again draws only what changed, and the cursor stays on
the row the agent was on."""

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widget import Widget

from console.widgets.mirrored_table import MirroredTable, Row, cell, same_cell

COLUMNS = (("code", "Tracking code", 10), ("status", "Status", 8), ("left", "Time left", 8))


def rows(*specs: tuple[str, str, str], rtl: bool = False) -> list[Row]:
    return [
        (key, [cell(key, 10, rtl=rtl), cell(status, 8, rtl=rtl), cell(left, 8, rtl=rtl)])
        for key, status, left in specs
    ]


FIRST = rows(("a1", "New", "1:00"), ("b2", "New", "2:00"), ("c3", "Referred", "3:00"))


class TableApp(App):
    def __init__(self, rtl: bool) -> None:
        super().__init__()
        self.rtl = rtl

    def compose(self) -> ComposeResult:
        yield MirroredTable(COLUMNS, rtl=self.rtl)


@pytest.fixture
def redraws(monkeypatch) -> list[tuple[Region, ...]]:
    """The regions each redraw of a table asked for (none: the whole table)."""
    asked: list[tuple[Region, ...]] = []
    refresh = Widget.refresh

    def spy(self, *regions, **kwargs):
        if isinstance(self, MirroredTable):
            asked.append(regions)
        return refresh(self, *regions, **kwargs)

    monkeypatch.setattr(Widget, "refresh", spy)
    return asked


def shown(table: MirroredTable) -> list[list[str]]:
    return [[c.plain.strip() for c in table.get_row(key)] for key in table.row_keys()]


@pytest.mark.parametrize("rtl", [False, True])
async def test_the_same_rows_again_draw_nothing_and_keep_the_cursor(rtl, redraws):
    app = TableApp(rtl)
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.query_one(MirroredTable)
        table.show_rows(rows(("a1", "New", "1:00"), ("b2", "New", "2:00"), rtl=rtl))
        table.move_cursor(row=1)
        await pilot.pause()
        redraws.clear()
        table.show_rows(rows(("a1", "New", "1:00"), ("b2", "New", "2:00"), rtl=rtl))
        await pilot.pause()
        assert redraws == []
        assert table.highlighted_key() == "b2"


async def test_a_changed_cell_is_updated_in_place_and_only_it_is_drawn(redraws):
    app = TableApp(False)
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.query_one(MirroredTable)
        table.show_rows(FIRST)
        table.move_cursor(row=2)
        await pilot.pause()
        redraws.clear()
        table.show_rows(
            rows(("a1", "New", "1:00"), ("b2", "New", "1:59"), ("c3", "Referred", "3:00"))
        )
        assert shown(table)[1] == ["b2", "New", "1:59"]
        assert table.row_keys() == ["a1", "b2", "c3"]
        assert table.highlighted_key() == "c3"
        # One cell: the "Time left" column (x 18, 8 wide) of the second row (under the heading).
        assert redraws == [(Region(18, 2, 8, 1),)]


async def test_a_cell_that_changes_only_its_colour_is_drawn_again():
    app = TableApp(False)
    async with app.run_test(size=(40, 10)):
        table = app.query_one(MirroredTable)
        table.show_rows(FIRST)
        late = cell("3:00", 8, rtl=False, style="bold reverse red")
        assert not same_cell(late, cell("3:00", 8, rtl=False))
        key, cells = FIRST[2]
        table.show_rows([*FIRST[:2], (key, [cells[0], cells[1], late])])
        assert table.get_cell("c3", "left").style == "bold reverse red"


async def test_other_rows_fill_the_table_afresh_with_the_cursor_on_its_row():
    app = TableApp(True)
    async with app.run_test(size=(40, 10)):
        table = app.query_one(MirroredTable)
        table.show_rows(FIRST)
        table.move_cursor(row=1)
        # A new request comes first: the agent's request moves down a row, the cursor with it.
        table.show_rows(rows(("z9", "New", "0:10"), ("a1", "New", "1:00"), ("b2", "New", "2:00")))
        assert table.row_keys() == ["z9", "a1", "b2"]
        assert table.highlighted_key() == "b2"
        # Its request left the list: the cursor stays at the same height.
        table.show_rows(rows(("z9", "New", "0:10"), ("a1", "New", "1:00"), ("d4", "New", "4:00")))
        assert table.highlighted_key() == "d4"
        # A new page starts at the top.
        table.show_rows(rows(("e5", "New", "5:00"), ("f6", "New", "6:00")), top=True)
        assert table.cursor_row == 0
        assert [row[0] for row in shown(table)] == ["5:00", "6:00"]  # mirrored: last column first


async def test_an_empty_list_and_back():
    app = TableApp(False)
    async with app.run_test(size=(40, 10)):
        table = app.query_one(MirroredTable)
        table.show_rows([])
        assert table.row_count == 0 and table.highlighted_key() is None
        table.show_rows(FIRST)
        assert table.row_keys() == ["a1", "b2", "c3"]
        table.show_rows([])
        assert table.row_count == 0


def test_cells_compare_by_words_colour_and_alignment():
    plain = Text("1:00", justify="left")
    assert same_cell(plain, Text("1:00", justify="left"))
    assert not same_cell(plain, Text("1:00", justify="right"))
    assert not same_cell(plain, Text("1:01", justify="left"))
    assert same_cell("x", "x") and not same_cell("x", "y")
