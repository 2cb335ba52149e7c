"""URLs of 考核与通报 (namespace `assessment`)."""

from django.urls import path

from . import views

app_name = "assessment"

urlpatterns = [
    path("ranking/", views.ranking, name="ranking"),
    path("ranking.xlsx", views.ranking_xlsx, name="ranking_xlsx"),
    path("plans/<int:pk>/rule/", views.rule, name="rule"),
    path("plans/<int:pk>/rule/edit/", views.rule_edit, name="rule_edit"),
    path("plans/<int:pk>/units/<int:unit_pk>/", views.unit_score, name="unit_score"),
    path("plans/<int:pk>/adjust/", views.adjust, name="adjust"),
    path("practices/", views.practices, name="practices"),
    path("reports/<int:report_pk>/practice/", views.practice_mark, name="practice_mark"),
    path("practices/<int:pk>/delete/", views.practice_delete, name="practice_delete"),
    path("circulars/", views.circular_list, name="circular_list"),
    path("plans/<int:pk>/circulars/<int:period_pk>/", views.circular, name="circular"),
    path("plans/<int:pk>/circulars/<int:period_pk>/generate/", views.circular_generate, name="circular_generate"),
    path("plans/<int:pk>/circulars/<int:period_pk>/edit/", views.circular_edit, name="circular_edit"),
    path("plans/<int:pk>/circulars/<int:period_pk>/publish/", views.circular_publish, name="circular_publish"),
    path("plans/<int:pk>/circulars/<int:period_pk>/circular.docx", views.circular_docx, name="circular_docx"),
]
