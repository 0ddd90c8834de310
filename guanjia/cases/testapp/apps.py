from django.apps import AppConfig


class CasesTestAppConfig(AppConfig):
    """A concrete case model for the tests of the shared case core; installed only by the test settings."""

    name = "guanjia.cases.testapp"
    label = "cases_testapp"
    default = True
