"""The reports of the customer-service desk (S01, S02, S04, S05), one selector per report, each aggregating in
SQL with a number of queries that does not grow with the number of cases.

Every selector takes ``projects`` (the project ids the caller may see: one project, or every visible project
of the company) and never looks outside them; ``report_scope`` turns a request's ``project`` parameter into
those ids through ``guanjia.accounts.access`` (O04).

Months are calendar months in Asia/Shanghai (``month`` is the date of the 1st); a case belongs to the month in
which it was received (``received_at``), a return visit to the month in which it falls due (``due_at``).
"""

from guanjia.reports.selectors.daily import daily_summary
from guanjia.reports.selectors.lists import (
    LIST_NAMES,
    PAGE_SIZE,
    frozen_page,
    month_end_lists,
    month_end_page,
    repeat_complaints,
    repeat_repairs,
    unsatisfied_visits,
)
from guanjia.reports.selectors.monthly import (
    RATE_LABELS,
    TARGETS,
    complaint_figures,
    household_figures,
    monthly_figures,
    rates,
    repair_figures,
    trend,
    visit_figures,
)
from guanjia.reports.selectors.scope import ReportScope, report_for, report_month, report_scope

__all__ = [
    "LIST_NAMES",
    "PAGE_SIZE",
    "RATE_LABELS",
    "TARGETS",
    "ReportScope",
    "complaint_figures",
    "daily_summary",
    "frozen_page",
    "household_figures",
    "month_end_lists",
    "month_end_page",
    "monthly_figures",
    "rates",
    "repair_figures",
    "repeat_complaints",
    "repeat_repairs",
    "report_for",
    "report_month",
    "report_scope",
    "trend",
    "unsatisfied_visits",
    "visit_figures",
]
