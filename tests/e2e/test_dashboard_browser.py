"""The lead dashboard in Debian's chromium against the real stack: after real conversations, a lead
opens it, every chart is drawn (no console errors under the CSP), every table is there, the
KB gaps arrive, a CSV downloads and a figure follows the filters.

Set DESKMATE_SCREENSHOTS=1 to refresh docs/screenshots/dashboard.png.
"""

import csv
import io
import re

from playwright.sync_api import ConsoleMessage, Page, expect

from handoff.metrics import FIGURE_KEYS, TABLE_KEYS
from tests.e2e.browser import People, save_screenshot
from tests.e2e.conftest import LEAD_EMAIL, RunningStack, handed_off
from tests.utils.widget_client import WidgetClient, button

RENDER_TIMEOUT = 15_000


def some_history(stack: RunningStack) -> None:
    """A customer helped by the bot, one the bot could not help twice, one who asked for a person."""
    helped = WidgetClient(stack.base_url)
    helped.start()
    replies = helped.send("how do I reset my password? the link in the email expired")
    helped.press(button(replies[-1], "/feedback_helped"))
    missed = WidgetClient(stack.base_url)
    missed.start()
    missed.send("Which pizza place in Naples would you recommend for a team dinner?")
    missed.send("Do you know a good pizzeria near the office in Naples?")
    handed_off(stack, "how can I connect my bank account?", "I want to talk to a person")


def watch_console(page: Page) -> list[str]:
    problems: list[str] = []

    def record(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            problems.append(f"{message.type}: {message.text}")

    page.on("console", record)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    return problems


def all_charts_drawn(page: Page) -> int:
    """Wait until dashboard.js has drawn every chart of the page; returns how many there are."""
    total = page.locator('[data-testid="dashboard-table"] canvas[data-chart]').count()
    expect(page.locator('[data-testid="dashboard-table"] canvas[data-rendered="true"]')).to_have_count(
        total, timeout=RENDER_TIMEOUT
    )
    return total


def test_a_lead_reads_the_dashboard_with_charts_tables_and_a_csv(stack: RunningStack, people: People) -> None:
    some_history(stack)
    lead = people.agent(LEAD_EMAIL, "/console/tickets")
    problems = watch_console(lead)

    lead.get_by_test_id("nav-dashboard").click()
    lead.wait_for_url(re.compile(r"/console/dashboard$"))
    expect(lead.get_by_test_id("generated")).to_contain_text("Figures as of")
    lead.get_by_test_id("refresh").click()  # this module's history, not a build from an earlier module
    lead.wait_for_url(re.compile(r"fresh=1"))

    expect(lead.get_by_test_id("figure")).to_have_count(len(FIGURE_KEYS))
    expect(lead.get_by_test_id("dashboard-table")).to_have_count(len(TABLE_KEYS))
    charts = lead.locator('[data-testid="dashboard-table"] canvas[data-chart]')
    drawn = all_charts_drawn(lead)
    assert drawn >= len(TABLE_KEYS) - 2  # a table without rows (no escalations yet, say) has no chart
    # Every chart has its table in the page, under it.
    assert (
        lead.locator('[data-testid="dashboard-table"]:has(canvas) [data-testid="data-table"]').count()
        == drawn
    )
    first_chart = charts.first.bounding_box()
    assert first_chart and first_chart["width"] > 100 and first_chart["height"] > 100
    conversations = lead.locator(
        '[data-testid="figure"][data-key="bot_conversations"] [data-testid="figure-value"]'
    )
    assert int(conversations.inner_text().replace(",", "")) >= 3
    expect(lead.get_by_test_id("partition-row")).to_have_count(4)

    lead.set_viewport_size({"width": 1400, "height": 1500})  # the README shows the charts under the figures
    lead.evaluate("window.scrollTo(0, 0)")
    all_charts_drawn(lead)
    save_screenshot(lead, "dashboard")
    lead.set_viewport_size({"width": 1400, "height": 900})

    # The KB gaps load after the page; the two pizza questions are one customer's, not yet a topic.
    expect(lead.get_by_test_id("kb-gaps")).to_be_attached(timeout=RENDER_TIMEOUT)

    with lead.expect_download() as downloading:
        lead.locator('[data-key="volume_by_day"] [data-testid="csv-link"]').click()
    download = downloading.value
    assert re.fullmatch(
        r"deskmate-volume_by_day-\d{4}-\d\d-\d\d_\d{4}-\d\d-\d\d\.csv", download.suggested_filename
    )
    rows = list(csv.reader(io.StringIO(open(download.path(), encoding="utf-8-sig").read())))
    assert rows[0] == ["Day", "Created", "Resolved"]
    assert sum(int(row[1]) for row in rows[1:]) >= 1


    lead.get_by_test_id("filter-channel").select_option("telegram")
    lead.get_by_test_id("filter-days").select_option("7")
    lead.get_by_test_id("filter-apply").click()
    lead.wait_for_url(re.compile(r"channel=telegram"))
    expect(lead.get_by_test_id("filter-channel")).to_have_value("telegram")
    all_charts_drawn(lead)
    assert problems == []


def test_custom_dates_show_only_when_picked(stack: RunningStack, people: People) -> None:
    lead = people.agent(LEAD_EMAIL, "/console/dashboard")
    expect(lead.get_by_test_id("filter-from")).to_be_hidden()
    lead.get_by_test_id("filter-days").select_option("custom")
    expect(lead.get_by_test_id("filter-from")).to_be_visible()
    lead.get_by_test_id("filter-from").fill("2026-01-05")
    lead.get_by_test_id("filter-to").fill("2026-01-11")
    lead.get_by_test_id("filter-apply").click()
    expect(lead.get_by_test_id("period")).to_contain_text("05 Jan 2026 \N{EN DASH} 11 Jan 2026 (UTC days)")
