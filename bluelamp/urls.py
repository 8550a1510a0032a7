from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from bluelamp import views
from bluelamp.api import api
from bluelamp.flows.responses import response_submit
from bluelamp.ops import views as ops_views
from bluelamp.signin import lockouts
from bluelamp.surveys.urls import respondent_urls

admin.site.site_header = "Bluelamp administration"
admin.site.site_title = "Bluelamp"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("oidc/", include("bluelamp.signin.urls")),
    path("accounts/locked/", lockouts.lockouts, name="lockouts"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("s/", include(respondent_urls(submit=response_submit))),
    path("live/", include("bluelamp.insights.urls")),
    path("cases/", include("bluelamp.recovery.urls")),
    path("outbox/", include("bluelamp.delivery.urls")),
    path("hooks/", include("bluelamp.delivery.hooks")),
    path("contacts/", include("bluelamp.intake.urls")),
    path("care/", include("bluelamp.care.urls")),
    path("investigations/", include("bluelamp.investigations.urls")),
    path("prevention/", include("bluelamp.prevention.urls")),
    path("healthz", ops_views.healthz, name="healthz"),
    path("metrics", ops_views.metrics, name="metrics"),
]

handler400 = "bluelamp.views.bad_request"
handler403 = "bluelamp.views.permission_denied"
handler404 = "bluelamp.views.page_not_found"
handler500 = "bluelamp.views.server_error"
