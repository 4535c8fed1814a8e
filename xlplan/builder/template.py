"""The blank template in workbook_templates/: reproducible, byte for byte."""

from __future__ import annotations

from xlplan.builder.workbook import build_workbook
from xlplan.catalog_data import load_catalog
from xlplan.core.model import Plan

TEMPLATE_START_FY = 2027  # fixed so the committed template does not depend on the build date
TEMPLATE_YEARS = 5


def template_plan() -> Plan:
    return Plan(municipality="", start_fy=TEMPLATE_START_FY, years=TEMPLATE_YEARS)


def build_template_bytes() -> bytes:
    return build_workbook(template_plan(), load_catalog(), interpreter=None, current_fy=TEMPLATE_START_FY)
