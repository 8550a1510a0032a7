from django.urls import path

from bluelamp.insights import views

urlpatterns = [
    path("", views.live, name="live"),
    path("board", views.board, name="live_board"),
    path("drill/", views.drill_down, name="live_drill"),
    path("wall/", views.wall, name="live_wall"),
    path("wall/board", views.wall_board, name="live_wall_board"),
    path("themes/<int:response_id>", views.theme_correct, name="theme_correct"),
    path("theme-model/", views.theme_model_page, name="theme_model"),
]
