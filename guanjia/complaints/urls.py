from django.urls import path

from guanjia.complaints import views

app_name = "complaints"
urlpatterns = [
    path("", views.complaint_list, name="list"),
    path("board/", views.board, name="board"),
    path("new/", views.register, name="register"),
    path("new/customers/", views.customer_lookup, name="customer_lookup"),
    path("new/customer-cases/", views.customer_cases, name="customer_cases"),
    path("new/similar/", views.similar_complaints, name="similar_complaints"),
    path("<int:pk>/add-customer-words/", views.add_to_existing, name="add_to_existing"),
    path("incident-suggestions/", views.incident_suggestions, name="incident_suggestions"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/facts/", views.update_facts, name="update_facts"),
    path("<int:pk>/sign/", views.sign, name="sign"),
    path("signatures/<int:pk>.png", views.signature_image, name="signature_image"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident_detail"),
    # One URL per next action of a complaint page (views.ACTIONS).
    *(path(f"<int:pk>/{name.replace('_', '-')}/", views.act, {"action": name}, name=name) for name in views.ACTIONS),
]
