"""URLs of the year-end report and the ledger; included in the `planner` namespace (planner:annual_report …)."""

urlpatterns = []
