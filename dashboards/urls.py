"""URLs of the dashboards; included in the `planner` namespace (planner:dashboard, planner:matrix …)."""

urlpatterns = []
