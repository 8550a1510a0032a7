from django.urls import path

from bluelamp.insights import views

urlpatterns = [
    path("", views.live, name="live"),
    path("board", views.board, name="live_board"),
    path("drill/", views.drill_down, name="live_drill"),
]
