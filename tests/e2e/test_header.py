"""The header bar: one row on a phone, every control big enough to tap."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

# WCAG 2.5.5 target size, the size a thumb hits reliably.
TAP = 44
# One row of 44 px controls plus the bar's padding; two rows would be ~100 px.
ONE_ROW = 70

CONTROLS = "header a, header button, header select, header summary"


def _small_controls(page) -> list[str]:
    """Shown header controls smaller than TAP×TAP, as "name w×h"."""
    return page.eval_on_selector_all(
        CONTROLS,
        f"""els => els.map(e => [e, e.getBoundingClientRect()])
            .filter(([e, r]) => r.width > 0 && r.height > 0 && (r.width < {TAP} || r.height < {TAP}))
            .map(([e, r]) => `${{(e.textContent || e.getAttribute("aria-label") || e.tagName).trim()}}`
                 + ` ${{Math.round(r.width)}}×${{Math.round(r.height)}}`)""",
    )


@pytest.mark.parametrize("screen", ["phone"])
def test_on_a_phone_the_header_is_one_row_and_the_menu_opens_to_big_targets(session, operator):
    session.login(operator.username)
    page = session.go("/")
    header = page.locator("header.topbar")
    height = header.bounding_box()["height"]
    assert height < ONE_ROW, f"header is {height}px tall at 360px"
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    expect(nav).to_be_hidden()
    assert not _small_controls(page)
    session.screenshot("header-menu-closed")

    nav = session.menu()
    for name in ["Vận hành", "Tiểu thương", "Giao dịch", "Đối soát", "Tổng quan", "Quản trị"]:
        expect(nav.get_by_role("link", name=name)).to_be_visible()
    expect(nav.get_by_role("button", name="Đăng xuất")).to_be_visible()
    assert not _small_controls(page)
    session.screenshot("header-menu-open")
    nav.get_by_role("link", name="Giao dịch").click()
    expect(page.get_by_role("heading", name="Giao dịch qua ví")).to_be_visible()


@pytest.mark.parametrize("screen", ["desktop"])
def test_on_a_desk_the_links_show_inline_without_a_toggle(session, operator):
    session.login(operator.username)
    page = session.go("/")
    expect(page.locator("header .menu > summary")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Giao dịch")).to_be_visible()
    assert page.locator("header.topbar").bounding_box()["height"] < ONE_ROW
